// Receivers as the notify module sees them: where a receiver's notifications go and how.
//
// These are small, already-validated structs; the integrator converts the configuration into
// them and resolves secret references (Slack webhook URLs, PagerDuty routing keys, webhook
// credentials) into the fields marked SECRET. Secret values live only in memory: the outbox
// stores a receiver's name and the integration's index, and the notifier looks the values up in
// the ReceiverRegistry when it sends.
//
// Thread-safety: the structs are plain data. ReceiverRegistry may be used from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sloe::notify {

// Alertmanager's webhook_config: POSTs the version 4 JSON payload.
struct WebhookTarget {
  std::string url;  // SECRET (may embed a token)
  bool send_resolved = true;
  // At most this many alerts per payload (0 = all); the rest are counted in truncatedAlerts.
  std::size_t max_alerts = 0;
  // Extra request headers, e.g. {"Authorization", "Bearer ..."}. SECRET (values).
  std::vector<std::pair<std::string, std::string>> headers;
};

// A Slack incoming webhook.
struct SlackTarget {
  std::string webhook_url;     // SECRET: the URL is the credential
  std::string channel;         // optional override, e.g. "#oncall"; "" = the webhook's default
  std::string username;        // optional override; ""  = the webhook's default
  bool send_resolved = false;  // Alertmanager's default for Slack
};

// PagerDuty Events API v2.
struct PagerDutyTarget {
  std::string routing_key;  // SECRET: the integration key of a PagerDuty service
  std::string url = "https://events.pagerduty.com/v2/enqueue";
  // One of critical, error, warning, info. "" = the alerts' common `severity` label when it is
  // one of those four, else "error" (Alertmanager's default).
  std::string severity;
  std::string source;           // payload.source; "" = client
  std::string client = "sloe";  // shown in PagerDuty as the monitoring tool
  bool send_resolved = true;
};

using Integration = std::variant<WebhookTarget, SlackTarget, PagerDutyTarget>;

enum class IntegrationKind { kWebhook, kSlack, kPagerDuty };

IntegrationKind kind_of(const Integration& integration);
// "webhook", "slack", "pagerduty": the form stored in the outbox and used as a metric label.
std::string_view to_string(IntegrationKind kind);
std::optional<IntegrationKind> parse_integration_kind(std::string_view text);

// Sending pace for one receiver (all its integrations together): a token bucket that holds at
// most `burst` tokens and gains `per_second` tokens a second. A notification over the limit waits
// in the outbox; it is never dropped.
struct RateLimit {
  double per_second = 1.0;  // REQUIRES: > 0
  double burst = 10.0;      // REQUIRES: >= 1
};

struct Receiver {
  std::string name;
  // A notification for this receiver goes to every integration, each with its own outbox row.
  // Rows refer to an integration by its index here, so keep the order stable across reloads.
  std::vector<Integration> integrations;
  RateLimit rate_limit;
};

// The current receivers by name; replaceable at run time (configuration reload). Lookups return a
// shared snapshot, so a sender keeps a consistent receiver even if a reload happens meanwhile.
class ReceiverRegistry {
 public:
  ReceiverRegistry() = default;
  explicit ReceiverRegistry(std::vector<Receiver> receivers) { replace(std::move(receivers)); }

  // Replaces every receiver. A later receiver with the same name as an earlier one wins.
  void replace(std::vector<Receiver> receivers);
  // The receiver called name, or null when there is none.
  std::shared_ptr<const Receiver> find(std::string_view name) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Receiver>, std::less<>> receivers_;
};

}  // namespace sloe::notify
