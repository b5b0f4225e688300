#include "sloe/route/route.h"

#include <algorithm>
#include <set>

namespace sloe::route {
namespace {

// The first problem in the subtree, with a path a person can find the node by.
std::optional<std::string> check_node(const RouteSpec& spec, const std::string& where) {
  if (spec.group_by_all && !spec.group_by.empty()) {
    return where + ": cannot have wildcard group_by ('...') and other labels at the same time";
  }
  std::set<std::string, std::less<>> seen;
  for (const std::string& label : spec.group_by) {
    if (!seen.insert(label).second)
      return where + ": duplicated label '" + label + "' in group_by";
  }
  if (spec.group_interval && spec.group_interval->count() == 0)
    return where + ": group_interval cannot be zero";
  if (spec.repeat_interval && spec.repeat_interval->count() == 0)
    return where + ": repeat_interval cannot be zero";
  for (std::size_t i = 0; i < spec.routes.size(); ++i) {
    if (auto problem = check_node(spec.routes[i], where + ".routes[" + std::to_string(i) + "]"))
      return problem;
  }
  return std::nullopt;
}

int type_rank(alert::MatchType type) {
  switch (type) {
    case alert::MatchType::kEqual:
      return 0;
    case alert::MatchType::kNotEqual:
      return 1;
    case alert::MatchType::kRegexMatch:
      return 2;
    case alert::MatchType::kRegexNoMatch:
      return 3;
  }
  return 4;
}

}  // namespace

bool matcher_less(const alert::Matcher& a, const alert::Matcher& b) {
  if (a.name() != b.name())
    return a.name() < b.name();
  if (a.value() != b.value())
    return a.value() < b.value();
  return type_rank(a.type()) < type_rank(b.type());
}

std::string matchers_to_string(const std::vector<alert::Matcher>& matchers) {
  std::string out = "{";
  for (std::size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0)
      out += ',';
    out += matchers[i].to_string();
  }
  out += '}';
  return out;
}

Route::Route(const RouteSpec& spec, const Route* parent, std::size_t position)
    : matchers_(spec.matchers), continue_(spec.continue_matching), parent_(parent) {
  // Alertmanager sorts with sort.Sort, which is not stable; equal matchers are identical, so
  // stability cannot show.
  std::stable_sort(matchers_.begin(), matchers_.end(), matcher_less);
  if (parent != nullptr)
    options_ = parent->options_;
  if (!spec.receiver.empty())
    options_.receiver = spec.receiver;
  if (!spec.group_by.empty()) {
    options_.group_by = spec.group_by;
    options_.group_by_all = false;
  } else if (spec.group_by_all) {
    options_.group_by_all = true;
    options_.group_by.clear();  // ignored under group_by_all; clearing keeps that visible
  }
  if (spec.group_wait)
    options_.group_wait = *spec.group_wait;
  if (spec.group_interval)
    options_.group_interval = *spec.group_interval;
  if (spec.repeat_interval)
    options_.repeat_interval = *spec.repeat_interval;
  options_.mute_time_intervals = spec.mute_time_intervals;
  options_.active_time_intervals = spec.active_time_intervals;
  const std::string own = matchers_to_string(matchers_);
  options_.key = parent == nullptr ? own : parent->options_.key + "/" + own;
  id_ = parent == nullptr ? options_.key : options_.key + "/" + std::to_string(position);
  routes_.reserve(spec.routes.size());
  for (std::size_t i = 0; i < spec.routes.size(); ++i)
    routes_.push_back(std::unique_ptr<const Route>(new Route(spec.routes[i], this, i)));
}

void Route::match_into(const Labels& labels, std::vector<const Route*>& out) const {
  // The caller has checked this node's matchers.
  const std::size_t before = out.size();
  for (const auto& child : routes_) {
    if (!child->matches(labels))
      continue;
    child->match_into(labels, out);
    if (!child->continue_)
      break;
  }
  if (out.size() == before)
    out.push_back(this);
}

RouteTree::RouteTree(const std::string& receiver) {
  RouteSpec spec;
  spec.receiver = receiver;
  root_ = std::shared_ptr<const Route>(new Route(spec, nullptr, 0));
}

Result<RouteTree> RouteTree::build(const RouteSpec& root) {
  if (root.receiver.empty())
    return Error{"the root route must name a receiver (it is where unmatched alerts go)"};
  if (!root.matchers.empty())
    return Error{"the root route must not have matchers: every alert enters at the root"};
  if (root.continue_matching)
    return Error{"the root route cannot have 'continue'"};
  if (!root.mute_time_intervals.empty())
    return Error{"the root route must not have mute_time_intervals"};
  if (!root.active_time_intervals.empty())
    return Error{"the root route must not have active_time_intervals"};
  if (auto problem = check_node(root, "route"))
    return Error{*problem};
  return RouteTree(std::shared_ptr<const Route>(new Route(root, nullptr, 0)));
}

std::vector<const Route*> RouteTree::match(const Labels& labels) const {
  std::vector<const Route*> out;
  // The root has no matchers, so it always matches.
  root_->match_into(labels, out);
  return out;
}

void RouteTree::walk(const std::function<void(const Route&)>& visit) const {
  std::vector<const Route*> stack{root_.get()};
  while (!stack.empty()) {
    const Route* node = stack.back();
    stack.pop_back();
    visit(*node);
    for (auto it = node->routes().rbegin(); it != node->routes().rend(); ++it)
      stack.push_back(it->get());
  }
}

}  // namespace sloe::route
