#include "sloe/app/prometheus_rules.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "sloe/app/slo_alerts.h"
#include "sloe/core/duration.h"
#include "sloe/core/text.h"
#include "sloe/slo/evaluator.h"

namespace sloe::app {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Labels sloe sets itself; an SLO label of the same name never overrides them (as in
// make_slo_alert).
constexpr std::array<std::string_view, 4> kOwnLabels = {"alertname", "slo", "service", "severity"};

// A YAML double-quoted scalar: every character survives, whatever the text holds.
std::string yaml_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
          out += kHex[static_cast<unsigned char>(c) & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

// A PromQL string literal (Go double-quoted string syntax).
std::string promql_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

// Text put into an annotation verbatim: Prometheus expands annotations as Go templates, so a
// literal "{{" would start an action.
std::string template_literal(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 2) == "{{") {
      out += "{{ \"{{\" }}";
      ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

std::string percent(double ratio) {
  return format_double(std::round(ratio * 10000.0) / 100.0) + "%";
}

std::string rounded_burn(double rate) {
  return format_double(std::round(rate * 100.0) / 100.0) + "x";
}

slo::Objective objective_of(const config::SloSpec& spec) {
  slo::Objective objective;
  objective.target = spec.objective;
  objective.window = duration_cast<seconds>(spec.window);
  return objective;
}

// The objective's error budget as PromQL arithmetic: "(1 - 0.999)" evaluates to the same double as
// sloe's 1.0 - target, which a printed 0.001 would not.
std::string budget_expr(const config::SloSpec& spec) {
  return "(1 - " + format_double(spec.objective) + ")";
}

std::string selector(std::string_view metric, const config::SloSpec& spec) {
  return std::string(metric) + "{slo=" + promql_string(spec.name) + "}";
}

// Writes an indented YAML block scalar ("|-"): PromQL stays readable, its quotes unescaped.
void append_block(std::string& out, std::string_view key, std::string_view text,
                  std::string_view indent) {
  out += indent;
  out += key;
  out += ": |-\n";
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    out += indent;
    out += "  ";
    out += text.substr(start, end - start);
    out += '\n';
    start = end + 1;
  }
}

void append_labels(std::string& out, const config::SloSpec& spec, std::string_view indent,
                   std::string_view severity) {
  out += indent;
  out += "labels:\n";
  const std::string entry_indent = std::string(indent) + "  ";
  if (!severity.empty())
    out += entry_indent + "severity: " + yaml_quote(severity) + "\n";
  out += entry_indent + "slo: " + yaml_quote(spec.name) + "\n";
  out += entry_indent + "service: " + yaml_quote(spec.service) + "\n";
  for (const auto& [name, value] : spec.labels) {
    if (std::find(kOwnLabels.begin(), kOwnLabels.end(), name) != kOwnLabels.end())
      continue;
    out += entry_indent + name + ": " + yaml_quote(value) + "\n";
  }
}

constexpr std::string_view kRuleIndent = "      ";
constexpr std::string_view kFieldIndent = "        ";

void append_recording_rule(std::string& out, std::string_view name, const std::string& expr,
                           const config::SloSpec& spec) {
  out += std::string(kRuleIndent) + "- record: " + yaml_quote(name) + "\n";
  append_block(out, "expr", expr, kFieldIndent);
  append_labels(out, spec, kFieldIndent, "");
}

// "long > t and short > t" for each condition of the severity, joined by "or".
std::string alert_expr(const config::SloSpec& spec,
                       const std::vector<const slo::AlertCondition*>& conditions) {
  std::string expr;
  for (const slo::AlertCondition* condition : conditions) {
    const std::string threshold = format_double(condition->threshold);
    if (!expr.empty())
      expr += "\nor\n";
    expr += "(\n  ";
    expr += selector(burn_rate_rule_name(condition->long_window), spec);
    expr += " > " + threshold + "\n  and\n  ";
    expr += selector(burn_rate_rule_name(condition->short_window), spec);
    expr += " > " + threshold + "\n)";
  }
  return expr;
}

std::string alert_description(const config::SloSpec& spec, std::string_view severity,
                              const std::vector<const slo::AlertCondition*>& conditions) {
  std::string text =
      "The error budget burns faster than the " + std::string(severity) + " thresholds allow:";
  for (const slo::AlertCondition* condition : conditions) {
    text += " " + condition->name + " " + rounded_burn(condition->threshold) + " over " +
            format_duration(duration_cast<milliseconds>(condition->long_window)) + " and " +
            format_duration(duration_cast<milliseconds>(condition->short_window)) + ";";
  }
  text += " long-window burn now {{ $value | humanize }}x. Objective " + percent(spec.objective) +
          " over " + promql_duration(spec.window) + ".";
  return text;
}

void append_alert_rule(std::string& out, const config::SloSpec& spec, std::string_view severity,
                       const std::vector<slo::AlertCondition>& policy,
                       const PrometheusRulesOptions& options) {
  std::vector<const slo::AlertCondition*> conditions;
  for (const slo::AlertCondition& condition : policy) {
    if (condition.severity == severity)
      conditions.push_back(&condition);
  }
  out += std::string(kRuleIndent) + "- alert: " + yaml_quote(kSloAlertName) + "\n";
  append_block(out, "expr", alert_expr(spec, conditions), kFieldIndent);
  append_labels(out, spec, kFieldIndent, severity);
  const std::string entry_indent = std::string(kFieldIndent) + "  ";
  out += std::string(kFieldIndent) + "annotations:\n";
  out += entry_indent + "summary: " +
         yaml_quote(template_literal(spec.name) +
                    " ({{ $labels.service }}) is burning its error budget "
                    "{{ $value | humanize }}x as fast as it can afford") +
         "\n";
  out += entry_indent +
         "description: " + yaml_quote(alert_description(spec, severity, conditions)) + "\n";
  if (!spec.runbook_url.empty())
    out += entry_indent + "runbook_url: " + yaml_quote(template_literal(spec.runbook_url)) + "\n";
  if (!options.external_url.empty()) {
    out += entry_indent + "slo_url: " +
           yaml_quote(template_literal(options.external_url + "/api/v1/slos/" + spec.name)) + "\n";
  }
}

void append_group(std::string& out, const config::SloSpec& spec,
                  const PrometheusRulesOptions& options) {
  const slo::Objective objective = objective_of(spec);
  const milliseconds slo_window = duration_cast<milliseconds>(objective.window);
  out += "  - name: " + yaml_quote("sloe-slo-" + spec.name) + "\n";
  out += "    rules:\n";

  bool slo_window_listed = false;
  for (const seconds window : slo::kBurnRateWindows) {
    const milliseconds w = duration_cast<milliseconds>(window);
    slo_window_listed = slo_window_listed || w == slo_window;
    append_recording_rule(out, error_ratio_rule_name(w),
                          sli_error_ratio_expr(spec, promql_duration(w)), spec);
  }
  if (!slo_window_listed) {
    append_recording_rule(out, error_ratio_rule_name(slo_window),
                          sli_error_ratio_expr(spec, promql_duration(slo_window)), spec);
  }
  for (const seconds window : slo::kBurnRateWindows) {
    const milliseconds w = duration_cast<milliseconds>(window);
    append_recording_rule(out, burn_rate_rule_name(w),
                          selector(error_ratio_rule_name(w), spec) + " / " + budget_expr(spec),
                          spec);
  }

  append_recording_rule(out, kObjectiveRuleName, "vector(" + format_double(spec.objective) + ")",
                        spec);
  append_recording_rule(out, kErrorBudgetRuleName, "vector" + budget_expr(spec), spec);
  append_recording_rule(out, kWindowRuleName,
                        "vector(" + std::to_string(objective.window.count()) + ")", spec);
  append_recording_rule(
      out, kBudgetRemainingRuleName,
      "1 - " + selector(error_ratio_rule_name(slo_window), spec) + " / " + budget_expr(spec), spec);

  const std::vector<slo::AlertCondition> policy = slo::alert_policy(objective);
  append_alert_rule(out, spec, "page", policy, options);
  append_alert_rule(out, spec, "ticket", policy, options);
}

}  // namespace

std::string promql_duration(milliseconds duration) {
  return format_duration(duration);
}

std::string sli_error_ratio_expr(const config::SloSpec& slo, std::string_view range) {
  const std::string window = "[" + std::string(range) + "]";
  // increase(), not rate(): the event counts over the window, which is what sloe divides. rate()
  // would first divide each count by the range, rounding differently, and a burn exactly at a
  // threshold (1x against ticket-slow's 1) could then come out a hair above it in Prometheus only.
  const std::string total =
      "sum(increase(" + selector("sloe_slo_events_total", slo) + window + "))";
  const std::string good =
      "sum(increase(" + selector("sloe_slo_good_events_total", slo) + window + "))";
  return "(\n  " + total + "\n  -\n  " + good + "\n)\n/\n" + total;
}

std::string error_ratio_rule_name(milliseconds window) {
  return "slo:sloe_sli_error:ratio_rate" + promql_duration(window);
}

std::string burn_rate_rule_name(milliseconds window) {
  return "slo:sloe_burn_rate:ratio_rate" + promql_duration(window);
}

std::string prometheus_rules(const config::Config& config, const PrometheusRulesOptions& options) {
  std::string out =
      "# Prometheus rules for sloe's SLOs, generated by `sloe rules`: regenerate rather than "
      "edit.\n"
      "# Recording rules: slo:sloe_sli_error:ratio_rate<window>, "
      "slo:sloe_burn_rate:ratio_rate<window>,\n"
      "# slo:sloe_objective:ratio, slo:sloe_error_budget:ratio, slo:sloe_window:seconds,\n"
      "# slo:sloe_error_budget_remaining:ratio. Alerts: ErrorBudgetBurn, severity page and "
      "ticket.\n";
  if (config.slos.empty())
    return out + "groups: []\n";
  out += "groups:\n";
  for (const config::SloSpec& spec : config.slos)
    append_group(out, spec, options);
  return out;
}

}  // namespace sloe::app
