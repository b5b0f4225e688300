#pragma once

// The `sloe` CLI's HTTP client for a running agent (`sloe run`), shared by `sloe incident`,
// `sloe runbook` and `sloe postmortem`. Only the CLI's own files include this header: it brings
// in httplib and nlohmann/json.
//
// Every failure is told to the person on standard error, once, where it happens, and then shows
// up as a value (false or nullopt) so the command can exit 1:
//   - authenticate(): "error: cannot read the token file F" / "error: the token file F is empty"
//   - get/post/put/patch(): "error: cannot reach sloe at SERVER: WHY (is `sloe run` running? see
//     --server)" when no answer came at all
//   - accepted(): "error: SERVER answered STATUS: FIELD: MESSAGE" for an answer that is not 2xx,
//     FIELD and MESSAGE taken from the API's {"error": {"field", "message"}} body
//     ("(no message)" when there is none, no "FIELD: " when the field is absent or empty).
//
// Timeouts: 3 s to connect, 30 s to read (a postmortem export renders the whole incident).
//
// Thread-safety: none needed and none given; each command makes one client and uses it from its
// own thread.

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace sloe::app {

// One answer of the agent.
struct AgentReply {
  int status = 0;
  std::string text;     // the body as sent: JSON, or Markdown/HTML for a postmortem export
  nlohmann::json body;  // `text` parsed as JSON; is_discarded() when it is not JSON
  bool ok() const { return status / 100 == 2; }
};

class AgentClient {
 public:
  // Turns text the agent sent into text fit for the terminal before it is printed.
  using Escape = std::string (*)(std::string_view);

  // `server` is the agent's base URL as given (--server), e.g. http://127.0.0.1:9465. `escape`,
  // when given, is applied to the agent's error message in accepted(); nullptr prints it as sent.
  explicit AgentClient(std::string server, Escape escape = nullptr);

  // Sends `Authorization: Bearer TOKEN` with every request: the first line of `token_file`
  // (trailing spaces and CR dropped) when it is named, else $SLOE_TOKEN when set and not empty,
  // else nothing. False (after saying why) when the named file cannot be read or is empty.
  bool authenticate(const std::string& token_file);

  // The agent's answer, whatever its status; nullopt (after saying why) when there is none.
  // `params` become the query string (none when empty); JSON bodies go as application/json.
  std::optional<AgentReply> get(const std::string& path, const httplib::Params& params = {});
  std::optional<AgentReply> post(const std::string& path, const nlohmann::json& body);
  // A POST whose path says it all: an empty application/json body.
  std::optional<AgentReply> post_without_body(const std::string& path);
  std::optional<AgentReply> put(const std::string& path, const nlohmann::json& body);
  std::optional<AgentReply> patch(const std::string& path, const nlohmann::json& body);

  // True for a 2xx; otherwise says why (see above) and returns false.
  bool accepted(const AgentReply& reply) const;

 private:
  std::optional<AgentReply> answer(const httplib::Result& result) const;

  std::string server_;
  Escape escape_;
  httplib::Client client_;
};

}  // namespace sloe::app
