#include "sloe/app/cli_routes.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/alert/matcher.h"
#include "sloe/config/loader.h"
#include "sloe/core/labels.h"
#include "sloe/core/result.h"
#include "sloe/route/route.h"

namespace sloe::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 1;

// Go's regexp \s.
bool is_go_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool is_amtool_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

bool is_amtool_name_char(char c) {
  return is_amtool_name_start(c) || (c >= '0' && c <= '9');
}

// One `name=value` argument, read as amtool's labels.ParseMatcher reads it: optional spaces,
// a name of [a-zA-Z_:][a-zA-Z0-9_:]*, an operator, the rest trimmed; a value that starts with '"'
// must end with one, and inside it \" \\ \n are escapes (other backslashes stay literal).
Result<std::pair<std::string, std::string>> parse_label_argument(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size() && is_go_space(text[pos]))
    ++pos;
  const std::size_t name_start = pos;
  if (pos < text.size() && is_amtool_name_start(text[pos])) {
    ++pos;
    while (pos < text.size() && is_amtool_name_char(text[pos]))
      ++pos;
  }
  const std::string name(text.substr(name_start, pos - name_start));
  while (pos < text.size() && is_go_space(text[pos]))
    ++pos;
  const std::string_view rest = text.substr(pos);
  std::string_view op;
  for (const std::string_view candidate : {"=~", "=", "!=", "!~"}) {
    if (rest.substr(0, candidate.size()) == candidate) {
      op = candidate;
      break;
    }
  }
  if (name.empty() || op.empty())
    return Error{"bad label format: '" + std::string(text) + "' (expected name=value)"};
  if (op != "=") {
    return Error{"labels must be given as name=value pairs, got '" + std::string(text) + "'"};
  }
  pos += op.size();
  while (pos < text.size() && is_go_space(text[pos]))
    ++pos;
  std::size_t end = text.size();
  while (end > pos && is_go_space(text[end - 1]))
    --end;
  std::string_view raw = text.substr(pos, end - pos);
  bool expect_trailing_quote = false;
  if (!raw.empty() && raw.front() == '"') {
    raw.remove_prefix(1);
    expect_trailing_quote = true;
  }
  std::string value;
  const auto unescaped_quote = [&] {
    return Error{"label value contains an unescaped double quote: " + std::string(text)};
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      alert::append_unescaped(raw[++i], value);
      continue;
    }
    if (c == '"') {
      if (!expect_trailing_quote || i + 1 < raw.size())
        return unescaped_quote();
      expect_trailing_quote = false;
      continue;
    }
    value += c;
  }
  if (expect_trailing_quote)
    return unescaped_quote();
  return std::make_pair(name, value);
}

// xlab/treeprint, which amtool prints with: "." then one line per node, "├── " / "└── " before
// the value and "│   " / "    " for each ancestor level that has / has no further siblings.
struct TreeNode {
  std::string value;
  std::vector<TreeNode> children;
};

void render_nodes(const std::vector<TreeNode>& nodes, std::vector<bool>& ended, std::string& out) {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const bool last = i + 1 == nodes.size();
    for (const bool level_ended : ended)
      out += level_ended ? "    " : "\u2502\u00a0\u00a0 ";  // treeprint pads with two NBSPs
    out += last ? "\u2514\u2500\u2500 " : "\u251c\u2500\u2500 ";
    out += nodes[i].value;
    out += '\n';
    ended.push_back(last);
    render_nodes(nodes[i].children, ended, out);
    ended.pop_back();
  }
}

std::string render_tree(const TreeNode& top) {
  std::string out = ".\n";
  std::vector<bool> ended;
  render_nodes({top}, ended, out);
  return out;
}

// amtool's getRouteTreeSlug (0.25: no grouping column).
std::string slug(const route::Route& route, bool show_continue, bool show_receiver) {
  std::string out =
      route.matchers().empty() ? "default-route" : route::matchers_to_string(route.matchers());
  if (route.continue_matching() && show_continue)
    out += "  continue: true";
  if (show_receiver)
    out += "  receiver: " + route.options().receiver;
  return out;
}

TreeNode whole_tree(const route::Route& route) {
  TreeNode node{slug(route, true, true), {}};
  for (const auto& child : route.routes())
    node.children.push_back(whole_tree(*child));
  return node;
}

// amtool's getMatchingTree: follows children whose own matchers match, stopping after the first
// that does not continue; a node with no such child shows its receiver.
TreeNode matching_tree(const route::Route& route, const Labels& labels) {
  TreeNode node{slug(route, false, false), {}};
  bool final_node = true;
  for (const auto& child : route.routes()) {
    if (!child->matches(labels))
      continue;
    node.children.push_back(matching_tree(*child, labels));
    final_node = false;
    if (!child->continue_matching())
      break;
  }
  if (final_node)
    node.value = slug(route, false, true);
  return node;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos)
      return out;
    start = comma + 1;
  }
}

// Prints every diagnostic; the routing tree only when the configuration is valid and has one.
std::optional<config::AlertingConfig> load_alerting(const std::string& dir) {
  config::LoadResult loaded = config::load_config(dir);
  std::size_t errors = 0;
  for (const config::Diagnostic& diagnostic : loaded.diagnostics) {
    std::cerr << diagnostic.to_string() << "\n";
    errors += diagnostic.severity == config::Diagnostic::Severity::kError ? 1 : 0;
  }
  if (!loaded.ok()) {
    std::cerr << "configuration in '" << dir << "' has " << errors << " error"
              << (errors == 1 ? "" : "s") << "\n";
    return std::nullopt;
  }
  if (!loaded.config->alerting) {
    std::cerr << "error: no routing tree in '" << dir
              << "': put an Alertmanager configuration (a YAML file with a top-level 'route:') "
                 "under alerts/\n";
    return std::nullopt;
  }
  return std::move(loaded.config->alerting);
}

}  // namespace

struct RoutesCommands::State {
  CLI::App* routes = nullptr;
  CLI::App* test = nullptr;
  CLI::App* show = nullptr;
  std::string config_dir = ".";
  std::string verify_receivers;
  bool tree = false;
  std::vector<std::string> labels;

  int run_test() const {
    Labels labels_set;
    for (const std::string& argument : labels) {
      auto label = parse_label_argument(argument);
      if (!label) {
        std::cerr << "error: " << label.error().message << "\n";
        return kExitInvalid;
      }
      labels_set[label->first] = label->second;  // a repeated name: the last one wins, as amtool
    }
    const auto alerting = load_alerting(config_dir);
    if (!alerting)
      return kExitInvalid;
    if (tree) {
      std::cout << "Matching routes:\n"
                << render_tree(matching_tree(alerting->routes.root(), labels_set)) << "\n\n";
    }
    std::vector<std::string> receivers;
    for (const route::Route* route : alerting->routes.match(labels_set)) {
      receivers.push_back(route->options().receiver);
      std::cout << route->options().receiver << "\n";
    }
    if (!verify_receivers.empty() && split_commas(verify_receivers) != receivers) {
      std::cout << "WARNING: Expected receivers did not match resolved receivers.\n";
      return kExitInvalid;
    }
    return kExitOk;
  }

  int run_show() const {
    const auto alerting = load_alerting(config_dir);
    if (!alerting)
      return kExitInvalid;
    std::cout << "Routing tree:\n" << render_tree(whole_tree(alerting->routes.root())) << "\n";
    return kExitOk;
  }
};

RoutesCommands::RoutesCommands(CLI::App& cli) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.routes = cli.add_subcommand(
      "routes", "Test or show the alert routing tree (Alertmanager configuration in alerts/)");
  s.routes->require_subcommand(1);
  s.test = s.routes->add_subcommand(
      "test",
      "Print the receivers a label set routes to, one per line (as amtool config routes "
      "test)");
  s.test->add_option("--config,-c", s.config_dir, "Configuration folder")->capture_default_str();
  s.test->add_option("--verify-receivers", s.verify_receivers,
                     "Comma-separated receivers the labels must route to, in order; exit 1 if "
                     "they do not");
  s.test->add_flag("--tree", s.tree, "First print the matching part of the routing tree");
  s.test->add_option("labels", s.labels, "Labels of the alert: name=value ...");
  s.show =
      s.routes->add_subcommand("show", "Print the routing tree (as amtool config routes show)");
  s.show->add_option("--config,-c", s.config_dir, "Configuration folder")->capture_default_str();
}

RoutesCommands::~RoutesCommands() = default;

bool RoutesCommands::selected() const {
  return static_cast<bool>(*state_->routes);
}

int RoutesCommands::run() const {
  if (*state_->show)
    return state_->run_show();
  return state_->run_test();
}

}  // namespace sloe::app
