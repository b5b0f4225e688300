// Durability of the incident record under kill -9: writers declare incidents, append notes and
// post alerts (each alert twice at once) against the real `sloe run` process while it is killed
// outright, again and again. Afterwards every write that was answered with 2xx is there exactly
// once, and no alert opened a second incident for its service.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent_process.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kRounds = 6;
constexpr int kNoteWriters = 4;
constexpr int kDeclarers = 2;

std::unique_ptr<httplib::Client> client_for(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_connection_timeout(2s);
  client->set_read_timeout(5s);
  client->set_write_timeout(5s);
  return client;
}

// What the agent acknowledged with 2xx, filled by the writer threads.
struct Ledger {
  std::mutex mutex;
  std::map<std::string, std::int64_t> declared;  // title → id answered
  std::set<std::string> notes;                   // texts answered 201
  std::set<std::string> alerted_services;        // services whose alert was answered 200
};

std::vector<json> all_incidents(httplib::Client& client) {
  std::vector<json> incidents;
  std::string path = "/api/v1/incidents?limit=1000";
  for (;;) {
    const auto answer = client.Get(path);
    if (!answer || answer->status != 200) {
      ADD_FAILURE() << "listing incidents failed: " << (answer ? answer->body : "no answer");
      return incidents;
    }
    const json page = json::parse(answer->body);
    for (const json& incident : page["incidents"])
      incidents.push_back(incident);
    if (page["next"].is_null())
      return incidents;
    const std::string next =
        page["next"].is_string() ? page["next"].get<std::string>() : page["next"].dump();
    path = "/api/v1/incidents?limit=1000&before=" + next;
  }
}

std::vector<json> timeline(httplib::Client& client, std::int64_t id) {
  std::vector<json> events;
  std::int64_t after = 0;
  for (;;) {
    const auto answer = client.Get("/api/v1/incidents/" + std::to_string(id) +
                                   "/timeline?limit=1000&after=" + std::to_string(after));
    if (!answer || answer->status != 200) {
      ADD_FAILURE() << "reading the timeline failed: " << (answer ? answer->body : "no answer");
      return events;
    }
    const json page = json::parse(answer->body);
    if (page["events"].empty())
      return events;
    for (const json& event : page["events"]) {
      events.push_back(event);
      after = event["id"].get<std::int64_t>();
    }
  }
}

std::int64_t declare(httplib::Client& client, const std::string& title) {
  const json body = {{"title", title}, {"severity", "SEV3"}};
  const auto answer = client.Post("/api/v1/incidents", body.dump(), "application/json");
  if (!answer || answer->status != 201)
    return 0;
  return json::parse(answer->body)["id"].get<std::int64_t>();
}

TEST(IncidentCrash, NoAcknowledgedWriteIsLostAndNoIncidentIsDuplicatedAcrossKillNine) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sloe-crash-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "slo");

  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));

  Ledger ledger;
  std::int64_t target = 0;  // the incident the notes go to
  for (int round = 0; round < kRounds; ++round) {
    sloe::testing::AgentProcess agent(dir);
    ASSERT_NE(agent.port(), 0) << agent.log();
    if (target == 0) {
      target = declare(*client_for(agent.port()), "notes under fire");
      ASSERT_NE(target, 0) << agent.log();
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kNoteWriters; ++w) {
      writers.emplace_back([&, w] {
        auto client = client_for(agent.port());
        const std::string path = "/api/v1/incidents/" + std::to_string(target) + "/timeline";
        for (int n = 0; !stop; ++n) {
          const std::string text = "round " + std::to_string(round) + " writer " +
                                   std::to_string(w) + " note " + std::to_string(n);
          const auto answer = client->Post(path, json{{"text", text}}.dump(), "application/json");
          if (answer && answer->status == 201) {
            const std::lock_guard lock(ledger.mutex);
            ledger.notes.insert(text);
          } else if (!answer) {
            std::this_thread::sleep_for(5ms);
          }
        }
      });
    }
    for (int d = 0; d < kDeclarers; ++d) {
      writers.emplace_back([&, d] {
        auto client = client_for(agent.port());
        for (int n = 0; !stop; ++n) {
          const std::string title = "declared r" + std::to_string(round) + " d" +
                                    std::to_string(d) + " #" + std::to_string(n);
          if (const std::int64_t id = declare(*client, title); id != 0) {
            const std::lock_guard lock(ledger.mutex);
            ledger.declared[title] = id;
          }
        }
      });
    }
    // Two posters send the same alert at the same moment: one incident must come of it.
    std::atomic<int> sequence{0};
    for (int p = 0; p < 2; ++p) {
      writers.emplace_back([&] {
        auto client = client_for(agent.port());
        for (int n = 0; !stop; ++n) {
          const std::string service = "svc-r" + std::to_string(round) + "-" + std::to_string(n);
          const json alerts = json::array(
              {{{"labels",
                 {{"alertname", "CheckoutDown"}, {"service", service}, {"severity", "page"}}},
                {"startsAt", "2026-11-23T10:00:00Z"}}});
          const auto answer = client->Post("/api/v2/alerts", alerts.dump(), "application/json");
          if (answer && answer->status == 200) {
            const std::lock_guard lock(ledger.mutex);
            ledger.alerted_services.insert(service);
          }
          ++sequence;
          while (!stop && sequence < 2 * (n + 1))  // keep the two posters in step
            std::this_thread::yield();
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + random() % 1100));
    const int status = agent.stop(SIGKILL);
    stop = true;
    for (std::thread& writer : writers)
      writer.join();
    ASSERT_TRUE(WIFSIGNALED(status)) << "the agent exited before it was killed:\n" << agent.log();
  }

  sloe::testing::AgentProcess agent(dir);
  ASSERT_NE(agent.port(), 0) << agent.log();
  auto client = client_for(agent.port());
  // The writes must have been many, or the test proves nothing.
  EXPECT_GE(ledger.notes.size(), 100u);
  EXPECT_GE(ledger.declared.size(), 20u);
  EXPECT_GE(ledger.alerted_services.size(), 10u);

  std::map<std::string, int> title_count;
  std::map<std::string, int> service_count;
  // Alerts accepted just before a kill are turned into incidents when the agent starts again.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::vector<json> incidents;
  for (;;) {
    incidents = all_incidents(*client);
    service_count.clear();
    for (const json& incident : incidents)
      ++service_count[incident["service"].is_string() ? incident["service"].get<std::string>()
                                                      : ""];
    bool all_opened = true;
    for (const std::string& service : ledger.alerted_services)
      all_opened = all_opened && service_count[service] >= 1;
    if (all_opened || std::chrono::steady_clock::now() > deadline)
      break;
    std::this_thread::sleep_for(200ms);
  }
  for (const json& incident : incidents)
    ++title_count[incident["title"].get<std::string>()];

  for (const auto& [title, id] : ledger.declared) {
    EXPECT_EQ(title_count[title], 1) << "declared incident '" << title << "' (id " << id << ")";
  }
  for (const auto& [title, count] : title_count) {
    if (title.rfind("declared ", 0) == 0) {
      EXPECT_EQ(count, 1) << "'" << title << "' stored " << count << " times";
    }
  }
  for (const std::string& service : ledger.alerted_services)
    EXPECT_EQ(service_count[service], 1) << "incidents for " << service;
  for (const auto& [service, count] : service_count) {
    if (service.rfind("svc-", 0) == 0) {
      EXPECT_LE(count, 1) << "incidents for " << service;
    }
  }

  std::map<std::string, int> note_count;
  for (const json& event : timeline(*client, target)) {
    if (event["kind"] == "note")
      ++note_count[event["text"].get<std::string>()];
  }
  std::size_t lost = 0;
  for (const std::string& text : ledger.notes) {
    if (note_count[text] != 1) {
      ++lost;
      ADD_FAILURE() << "acknowledged note '" << text << "' stored " << note_count[text] << " times";
      if (lost > 10)
        break;
    }
  }
  std::cout << "[ crash ] " << kRounds << " kills; acknowledged: " << ledger.notes.size()
            << " notes, " << ledger.declared.size() << " declarations, "
            << ledger.alerted_services.size() << " alerts (each sent twice at once)\n";
  agent.stop(SIGTERM);
  std::filesystem::remove_all(dir);
}

}  // namespace
