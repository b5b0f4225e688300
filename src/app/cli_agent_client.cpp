#include "cli_agent_client.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <utility>

namespace sloe::app {

using nlohmann::json;

AgentClient::AgentClient(std::string server, Escape escape)
    : server_(std::move(server)), escape_(escape), client_(server_) {
  client_.set_connection_timeout(std::chrono::seconds(3));
  client_.set_read_timeout(std::chrono::seconds(30));
}

bool AgentClient::authenticate(const std::string& token_file) {
  std::string token;
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in) {
      std::cerr << "error: cannot read the token file " << token_file << "\n";
      return false;
    }
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
      token.pop_back();
    if (token.empty()) {
      std::cerr << "error: the token file " << token_file << " is empty\n";
      return false;
    }
  } else if (const char* from_env = std::getenv("SLOE_TOKEN"); from_env != nullptr) {
    token = from_env;
  }
  if (!token.empty())
    client_.set_default_headers({{"Authorization", "Bearer " + token}});
  return true;
}

std::optional<AgentReply> AgentClient::get(const std::string& path, const httplib::Params& params) {
  return answer(client_.Get(params.empty() ? path : httplib::append_query_params(path, params)));
}

std::optional<AgentReply> AgentClient::post(const std::string& path, const json& body) {
  return answer(client_.Post(path, body.dump(), "application/json"));
}

std::optional<AgentReply> AgentClient::post_without_body(const std::string& path) {
  return answer(client_.Post(path, "", "application/json"));
}

std::optional<AgentReply> AgentClient::put(const std::string& path, const json& body) {
  return answer(client_.Put(path, body.dump(), "application/json"));
}

std::optional<AgentReply> AgentClient::patch(const std::string& path, const json& body) {
  return answer(client_.Patch(path, body.dump(), "application/json"));
}

bool AgentClient::accepted(const AgentReply& reply) const {
  if (reply.ok())
    return true;
  std::string message = "(no message)";
  if (reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_object()) {
    const json& error = reply.body["error"];
    message = error.value("message", message);
    if (error.contains("field") && error["field"].is_string() &&
        !error["field"].get<std::string>().empty()) {
      message = error["field"].get<std::string>() + ": " + message;
    }
  }
  std::cerr << "error: " << server_ << " answered " << reply.status << ": "
            << (escape_ != nullptr ? escape_(message) : message) << "\n";
  return false;
}

std::optional<AgentReply> AgentClient::answer(const httplib::Result& result) const {
  if (!result) {
    std::cerr << "error: cannot reach sloe at " << server_ << ": "
              << httplib::to_string(result.error()) << " (is `sloe run` running? see --server)\n";
    return std::nullopt;
  }
  return AgentReply{result->status, result->body, json::parse(result->body, nullptr, false)};
}

}  // namespace sloe::app
