// Redaction before persistence, end to end: every secret of the redaction corpus is sent to the
// real `sloe run` process the ways people and machines send text — notes, incident summaries,
// action-item titles, alert labels and annotations over the v2 API and the Alertmanager webhook —
// and afterwards none of them is in any file of the data folder (database, WAL) or in the log.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent_process.h"
#include "redaction_corpus.h"

namespace {

using nlohmann::json;

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool fits_a_title(const std::string& text) {
  return text.size() <= 200 && text.find('\n') == std::string::npos;
}

TEST(RedactionEndToEnd, NoSecretOfTheCorpusReachesTheDatabaseOrTheLog) {
  const auto corpus = sloe::incident::testing::load_corpus(SLOE_REDACTION_CORPUS);
  std::vector<sloe::incident::testing::Case> secrets;
  for (const auto& c : corpus) {
    if (!c.negative())
      secrets.push_back(c);
  }
  ASSERT_GE(secrets.size(), 50u);

  const auto dir =
      std::filesystem::temp_directory_path() / ("sloe-redaction-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "slo");
  std::string log;
  {
    sloe::testing::AgentProcess agent(dir, {"--log-level", "debug"});
    ASSERT_NE(agent.port(), 0) << agent.log();
    httplib::Client client("127.0.0.1", agent.port());
    const auto declared = client.Post(
        "/api/v1/incidents", json{{"title", "redaction drill"}, {"severity", "SEV4"}}.dump(),
        "application/json");
    ASSERT_TRUE(declared);
    ASSERT_EQ(declared->status, 201) << declared->body;
    const std::string incident =
        "/api/v1/incidents/" + std::to_string(json::parse(declared->body)["id"].get<int>());

    for (std::size_t i = 0; i < secrets.size(); ++i) {
      const auto& c = secrets[i];
      SCOPED_TRACE("corpus line " + std::to_string(c.line) + " (" + c.detector + ")");
      const auto note =
          client.Post(incident + "/timeline", json{{"text", c.text}}.dump(), "application/json");
      ASSERT_TRUE(note);
      EXPECT_EQ(note->status, 201) << note->body;

      const json summary = {{"title", "drill " + std::to_string(i)},
                            {"summary", c.text},
                            {"severity", "SEV4"},
                            {"test", true}};
      const auto with_summary =
          client.Post("/api/v1/incidents", summary.dump(), "application/json");
      ASSERT_TRUE(with_summary);
      EXPECT_EQ(with_summary->status, 201) << with_summary->body;

      if (fits_a_title(c.text)) {
        const auto action =
            client.Post(incident + "/actions", json{{"title", c.text}, {"owner", "alice"}}.dump(),
                        "application/json");
        ASSERT_TRUE(action);
        EXPECT_EQ(action->status, 201) << action->body;
      }

      const json labels = {{"alertname", "RedactionDrill"},
                           {"service", "redaction-drill"},
                           {"severity", "page"},
                           {"case", std::to_string(i)},
                           {"detail", c.text}};
      const json annotations = {{"summary", c.text}, {"description", c.text}};
      if (i % 2 == 0) {
        const json alerts = json::array({{{"labels", labels}, {"annotations", annotations}}});
        const auto posted = client.Post("/api/v2/alerts", alerts.dump(), "application/json");
        ASSERT_TRUE(posted);
        EXPECT_EQ(posted->status, 200) << posted->body;
      } else {
        const json webhook = {
            {"version", "4"},
            {"groupKey", "{}:{case=\"" + std::to_string(i) + "\"}"},
            {"status", "firing"},
            {"receiver", "sloe"},
            {"groupLabels", json::object()},
            {"commonLabels", labels},
            {"commonAnnotations", annotations},
            {"externalURL", "http://alertmanager.example:9093"},
            {"alerts",
             json::array({{{"status", "firing"},
                           {"labels", labels},
                           {"annotations", annotations},
                           {"startsAt", "2026-11-23T10:00:00Z"},
                           {"endsAt", "0001-01-01T00:00:00Z"},
                           {"generatorURL", "http://prometheus.example/graph?g0.expr=up"}}})}};
        const auto posted =
            client.Post("/api/v1/alerts/alertmanager", webhook.dump(), "application/json");
        ASSERT_TRUE(posted);
        EXPECT_EQ(posted->status, 200) << posted->body;
      }
    }
    // The drill's alerts opened an incident whose timeline holds them (so they were stored).
    // (The intake answers once alerts are stored and hands them to the incident record next.)
    std::size_t opened = 0;
    std::string listed;
    for (int attempt = 0; attempt < 100 && opened == 0; ++attempt) {
      if (attempt > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const auto answer = client.Get("/api/v1/incidents?service=redaction-drill");
      ASSERT_TRUE(answer);
      ASSERT_EQ(answer->status, 200) << answer->body;
      listed = answer->body;
      opened = json::parse(listed)["incidents"].size();
    }
    EXPECT_EQ(opened, 1u) << listed;
    agent.stop(SIGTERM);
    log = agent.log();
  }

  std::string stored;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "data")) {
    if (entry.is_regular_file())
      stored += file_bytes(entry.path());
  }
  ASSERT_NE(stored.find("[REDACTED:"), std::string::npos) << "nothing redacted was stored";
  for (const auto& c : secrets) {
    EXPECT_EQ(stored.find(c.secret), std::string::npos)
        << "corpus line " << c.line << " (" << c.detector << "): '" << c.secret
        << "' is in the data folder";
    EXPECT_EQ(log.find(c.secret), std::string::npos)
        << "corpus line " << c.line << " (" << c.detector << "): '" << c.secret
        << "' is in the log";
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
