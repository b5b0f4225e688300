// Route and RouteTree: Alertmanager's routing tree, which decides which receivers (and with which
// grouping and timers) an alert goes to, with the same answers Alertmanager gives for the same
// configuration.
//
// Matching (Alertmanager's dispatch.Route.Match): depth-first and left to right. A node matches
// when all its matchers match; it then tries its children in order. A matching child adds what
// it matched and, unless that child has `continue: true`, stops the search among its siblings.
// A matching node none of whose children matched is itself a match. The root has no matchers, so
// every alert matches at least the root (or a descendant).
//
// Inheritance (Alertmanager's NewRoute): a node starts from its parent's resolved RouteOptions
// (the root from RouteOptions' defaults) and overrides receiver, group_by (a non-empty list, or
// `...` for group_by_all), group_wait, group_interval and repeat_interval when it sets them.
// mute_time_intervals and active_time_intervals are NOT inherited: like Alertmanager, each node
// uses exactly the lists written on it.
//
// Keys: RouteOptions::key is Alertmanager's Route.Key(): the node's matchers sorted as
// Alertmanager sorts them (by name, then value, then operator =, !=, =~, !~), rendered as
// {name="value",...}, prefixed by the parent's key and '/'; the root's key is "{}". Deprecated
// `match_re` values are anchored as Alertmanager anchors them, so they appear as "^(?:re)$"
// (the config module does that; this module takes the matchers as given).
//
// Thread-safety: a RouteTree is immutable once built; const methods may be called from any
// number of threads at once. Copies share the same nodes.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sloe/alert/matcher.h"
#include "sloe/core/labels.h"
#include "sloe/core/result.h"
#include "sloe/route/route_options.h"

namespace sloe::route {

// One node as written in configuration, before inheritance. Unset fields inherit.
struct RouteSpec {
  std::vector<alert::Matcher> matchers;  // any order; the tree sorts them
  bool continue_matching = false;        // `continue: true`
  std::string receiver;                  // empty: inherit
  // Non-empty: group by these labels. group_by_all (`group_by: ['...']`): group by every label.
  // Both empty/false: inherit (an empty `group_by: []` inherits too, as in Alertmanager).
  std::vector<std::string> group_by;
  bool group_by_all = false;
  std::optional<std::chrono::milliseconds> group_wait;
  std::optional<std::chrono::milliseconds> group_interval;
  std::optional<std::chrono::milliseconds> repeat_interval;
  std::vector<std::string> mute_time_intervals;    // not inherited
  std::vector<std::string> active_time_intervals;  // not inherited
  std::vector<RouteSpec> routes;                   // children, in order
};

class Route {
 public:
  // Sorted as described above.
  const std::vector<alert::Matcher>& matchers() const { return matchers_; }
  bool continue_matching() const { return continue_; }
  // Resolved: inheritance applied, key filled.
  const RouteOptions& options() const { return options_; }
  const std::vector<std::unique_ptr<const Route>>& routes() const { return routes_; }
  // nullptr for the root.
  const Route* parent() const { return parent_; }
  // Alertmanager's Route.ID(): the key, then "/" and the node's position among its parent's
  // children (none for the root). Unlike the key, unique within a tree.
  const std::string& id() const { return id_; }

  // True if every matcher matches the labels (a missing label reads as "").
  bool matches(const Labels& labels) const { return alert::matches_all(matchers_, labels); }

  Route(const Route&) = delete;
  Route& operator=(const Route&) = delete;

 private:
  // Builds the node and its subtree; see RouteTree::build.
  Route(const RouteSpec& spec, const Route* parent, std::size_t position);
  void match_into(const Labels& labels, std::vector<const Route*>& out) const;
  friend class RouteTree;

  std::vector<alert::Matcher> matchers_;
  bool continue_ = false;
  RouteOptions options_;
  std::vector<std::unique_ptr<const Route>> routes_;
  const Route* parent_ = nullptr;
  std::string id_;
};

class RouteTree {
 public:
  // A tree whose root has receiver `receiver` and no children (every alert goes there). The
  // default tree's root names no receiver.
  RouteTree() : RouteTree(std::string()) {}
  explicit RouteTree(const std::string& receiver);

  // Builds the tree. Fails, naming the problem, when the root has matchers, `continue`, mute or
  // active time intervals, or no receiver; when a node combines group_by labels with `...`,
  // repeats a group_by label, or sets group_interval or repeat_interval to zero. (config checks
  // all of this with file positions first; this is the domain's own guard.)
  static Result<RouteTree> build(const RouteSpec& root);

  // The matched routes in Alertmanager's order; never empty.
  std::vector<const Route*> match(const Labels& labels) const;

  const Route& root() const { return *root_; }

  // Visits every node depth-first, parents before children, children in order.
  void walk(const std::function<void(const Route&)>& visit) const;

 private:
  explicit RouteTree(std::shared_ptr<const Route> root) : root_(std::move(root)) {}
  std::shared_ptr<const Route> root_;
};

// Alertmanager's ordering of matchers inside a route (labels.Matchers.Less).
bool matcher_less(const alert::Matcher& a, const alert::Matcher& b);

// {a="1",b=~"x"}: matchers as Alertmanager's labels.Matchers.String() renders them.
std::string matchers_to_string(const std::vector<alert::Matcher>& matchers);

}  // namespace sloe::route
