// The routing tree answers as Alertmanager's dispatch.Route does: order, continue, inheritance,
// keys. (tests/app/routes_amtool_test.cpp compares against the real amtool.)
#include "sloe/route/route.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace sloe::route {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

std::vector<alert::Matcher> m(const std::string& text) {
  auto parsed = alert::parse_matchers(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? parsed.value() : std::vector<alert::Matcher>{};
}

RouteSpec node(const std::string& matchers, const std::string& receiver,
               std::vector<RouteSpec> children = {}, bool cont = false) {
  RouteSpec spec;
  spec.matchers = m(matchers);
  spec.receiver = receiver;
  spec.routes = std::move(children);
  spec.continue_matching = cont;
  return spec;
}

RouteTree build(RouteSpec root) {
  auto tree = RouteTree::build(root);
  EXPECT_TRUE(tree.ok()) << (tree.ok() ? "" : tree.error().message);
  return tree.ok() ? std::move(tree).value() : RouteTree("unbuilt");
}

std::vector<std::string> receivers(const RouteTree& tree, const Labels& labels) {
  std::vector<std::string> out;
  for (const Route* route : tree.match(labels))
    out.push_back(route->options().receiver);
  return out;
}

using Names = std::vector<std::string>;

TEST(RouteTree, RootMatchesEverythingWhenNoChildMatches) {
  const RouteTree tree = build(node("", "default", {node("team=\"db\"", "db")}));
  EXPECT_EQ(receivers(tree, {}), Names{"default"});
  EXPECT_EQ(receivers(tree, {{"team", "web"}}), Names{"default"});
  EXPECT_EQ(receivers(tree, {{"team", "db"}}), Names{"db"});
}

TEST(RouteTree, FirstMatchingChildWinsUnlessItContinues) {
  const RouteTree tree = build(node("", "default",
                                    {node("team=\"a\"", "a-audit", {}, /*cont=*/true),
                                     node("team=~\"a|b\"", "ab"), node("team=\"a\"", "a-late")}));
  EXPECT_EQ(receivers(tree, {{"team", "a"}}), (Names{"a-audit", "ab"}));
  EXPECT_EQ(receivers(tree, {{"team", "b"}}), Names{"ab"});
  EXPECT_EQ(receivers(tree, {{"team", "c"}}), Names{"default"});
}

TEST(RouteTree, ContinueOnTheLastMatchStillLetsTheParentStandIn) {
  // A continuing child that matched still counts as a match: the parent is not added.
  const RouteTree tree = build(node("", "default", {node("x=\"1\"", "x", {}, true)}));
  EXPECT_EQ(receivers(tree, {{"x", "1"}}), Names{"x"});
}

TEST(RouteTree, NodeWhoseChildrenDoNotMatchIsItselfTheMatch) {
  const RouteTree tree =
      build(node("", "default",
                 {node("service=\"api\"", "api", {node("severity=\"page\"", "api-pager")}),
                  node("service=\"api\"", "never-reached")}));
  EXPECT_EQ(receivers(tree, {{"service", "api"}, {"severity", "page"}}), Names{"api-pager"});
  EXPECT_EQ(receivers(tree, {{"service", "api"}, {"severity", "ticket"}}), Names{"api"});
}

TEST(RouteTree, ContinueInsideASubtreeKeepsDepthFirstOrder) {
  const RouteTree tree = build(node(
      "", "default",
      {node("env=\"prod\"", "prod",
            {node("team=\"a\"", "prod-a", {}, true), node("severity=\"page\"", "prod-page")}, true),
       node("team=\"a\"", "a")}));
  EXPECT_EQ(receivers(tree, {{"env", "prod"}, {"team", "a"}, {"severity", "page"}}),
            (Names{"prod-a", "prod-page", "a"}));
  EXPECT_EQ(receivers(tree, {{"env", "prod"}, {"team", "b"}}), (Names{"prod"}));
  EXPECT_EQ(receivers(tree, {{"env", "dev"}, {"team", "a"}}), (Names{"a"}));
}

TEST(RouteTree, EmptyStringMatchersTreatMissingLabelsAsEmpty) {
  const RouteTree tree =
      build(node("", "default", {node("team=\"\"", "no-team"), node("team!=\"\"", "has-team")}));
  EXPECT_EQ(receivers(tree, {}), Names{"no-team"});
  EXPECT_EQ(receivers(tree, {{"team", ""}}), Names{"no-team"});
  EXPECT_EQ(receivers(tree, {{"team", "x"}}), Names{"has-team"});
}

TEST(RouteTree, ChildrenInheritReceiverGroupingAndTimers) {
  RouteSpec root = node("", "default");
  root.group_by = {"alertname"};
  root.group_wait = seconds(10);
  root.repeat_interval = hours(12);
  RouteSpec child = node("team=\"a\"", "");
  child.group_interval = minutes(1);
  RouteSpec grandchild = node("severity=\"page\"", "pager");
  grandchild.group_by_all = true;
  RouteSpec great = node("x=\"1\"", "");
  great.group_by = {"cluster", "service"};
  grandchild.routes.push_back(great);
  child.routes.push_back(grandchild);
  root.routes.push_back(child);
  const RouteTree tree = build(root);

  const auto a = tree.match({{"team", "a"}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->options().receiver, "default");
  EXPECT_EQ(a[0]->options().group_by, Names{"alertname"});
  EXPECT_FALSE(a[0]->options().group_by_all);
  EXPECT_EQ(a[0]->options().group_wait, seconds(10));
  EXPECT_EQ(a[0]->options().group_interval, minutes(1));
  EXPECT_EQ(a[0]->options().repeat_interval, hours(12));

  const auto page = tree.match({{"team", "a"}, {"severity", "page"}});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0]->options().receiver, "pager");
  EXPECT_TRUE(page[0]->options().group_by_all);
  EXPECT_EQ(page[0]->options().group_interval, minutes(1));

  const auto deep = tree.match({{"team", "a"}, {"severity", "page"}, {"x", "1"}});
  ASSERT_EQ(deep.size(), 1u);
  EXPECT_FALSE(deep[0]->options().group_by_all);
  EXPECT_EQ(deep[0]->options().group_by, (Names{"cluster", "service"}));
  EXPECT_EQ(deep[0]->options().receiver, "pager");
}

TEST(RouteTree, DefaultsAreAlertmanagers) {
  const RouteTree tree = build(node("", "default"));
  const RouteOptions& options = tree.root().options();
  EXPECT_EQ(options.group_wait, seconds(30));
  EXPECT_EQ(options.group_interval, minutes(5));
  EXPECT_EQ(options.repeat_interval, hours(4));
  EXPECT_TRUE(options.group_by.empty());
  EXPECT_FALSE(options.group_by_all);
}

TEST(RouteTree, TimeIntervalsAreNotInherited) {
  RouteSpec root = node("", "default");
  RouteSpec child = node("team=\"a\"", "a");
  child.mute_time_intervals = {"nights"};
  child.active_time_intervals = {"office"};
  child.routes.push_back(node("severity=\"page\"", "pager"));
  root.routes.push_back(child);
  const RouteTree tree = build(root);
  const auto a = tree.match({{"team", "a"}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->options().mute_time_intervals, Names{"nights"});
  EXPECT_EQ(a[0]->options().active_time_intervals, Names{"office"});
  const auto page = tree.match({{"team", "a"}, {"severity", "page"}});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_TRUE(page[0]->options().mute_time_intervals.empty());
  EXPECT_TRUE(page[0]->options().active_time_intervals.empty());
}

TEST(RouteTree, KeysAndIdsAreAlertmanagers) {
  const RouteTree tree = build(
      node("", "default",
           {node("severity=\"page\"", "p"),
            node("severity=\"page\"", "q", {node("zone!~\"eu.*\", service=~\"api|web\"", "r")})}));
  EXPECT_EQ(tree.root().options().key, "{}");
  EXPECT_EQ(tree.root().id(), "{}");
  const Route& first = *tree.root().routes()[0];
  const Route& second = *tree.root().routes()[1];
  EXPECT_EQ(first.options().key, "{}/{severity=\"page\"}");
  EXPECT_EQ(second.options().key, first.options().key);  // keys need not be unique
  EXPECT_EQ(first.id(), "{}/{severity=\"page\"}/0");
  EXPECT_EQ(second.id(), "{}/{severity=\"page\"}/1");
  const Route& leaf = *second.routes()[0];
  // Sorted by name: service before zone.
  EXPECT_EQ(leaf.options().key, "{}/{severity=\"page\"}/{service=~\"api|web\",zone!~\"eu.*\"}");
  EXPECT_EQ(leaf.id(), leaf.options().key + "/0");
  EXPECT_EQ(leaf.parent(), &second);
}

TEST(RouteTree, MatchersSortByNameThenValueThenOperator) {
  auto matchers = m("b=\"1\", a=~\"p\", a!=\"p\", a=\"q\\\"z\", a=\"p\", a!~\"p\"");
  std::stable_sort(matchers.begin(), matchers.end(), matcher_less);
  EXPECT_EQ(matchers_to_string(matchers),
            "{a=\"p\",a!=\"p\",a=~\"p\",a!~\"p\",a=\"q\\\"z\",b=\"1\"}");
}

TEST(RouteTree, BuildRejectsWhatAlertmanagerRejects) {
  EXPECT_FALSE(RouteTree::build(node("", "")).ok());
  EXPECT_FALSE(RouteTree::build(node("a=\"b\"", "default")).ok());
  EXPECT_FALSE(RouteTree::build(node("", "default", {}, true)).ok());
  RouteSpec muted = node("", "default");
  muted.mute_time_intervals = {"x"};
  EXPECT_FALSE(RouteTree::build(muted).ok());
  RouteSpec mixed = node("", "default");
  mixed.routes.push_back(node("a=\"1\"", "x"));
  mixed.routes[0].group_by = {"a"};
  mixed.routes[0].group_by_all = true;
  const auto mixed_result = RouteTree::build(mixed);
  ASSERT_FALSE(mixed_result.ok());
  EXPECT_NE(mixed_result.error().message.find("route.routes[0]"), std::string::npos);
  RouteSpec twice = node("", "default");
  twice.group_by = {"a", "a"};
  EXPECT_FALSE(RouteTree::build(twice).ok());
  RouteSpec zero = node("", "default");
  zero.repeat_interval = seconds(0);
  EXPECT_FALSE(RouteTree::build(zero).ok());
}

TEST(RouteTree, WalkVisitsDepthFirstInOrder) {
  const RouteTree tree = build(
      node("", "root", {node("a=\"1\"", "a", {node("b=\"1\"", "ab")}), node("c=\"1\"", "c")}));
  Names seen;
  tree.walk([&](const Route& route) { seen.push_back(route.options().receiver); });
  EXPECT_EQ(seen, (Names{"root", "a", "ab", "c"}));
}

TEST(RouteTree, DefaultTreeSendsEverythingToTheRoot) {
  struct Holder {
    RouteTree tree;
    int other;
  };
  const Holder holder{};  // aggregate-initializable: the default constructor is not explicit
  EXPECT_EQ(holder.tree.match({{"a", "1"}}).size(), 1u);
  EXPECT_EQ(holder.tree.root().options().key, "{}");
  EXPECT_EQ(receivers(RouteTree("fallback"), {{"a", "1"}}), Names{"fallback"});
}

TEST(RouteTree, CopiesShareTheImmutableTree) {
  const RouteTree tree = build(node("", "default", {node("a=\"1\"", "a")}));
  const RouteTree copy = tree;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(&copy.root(), &tree.root());
  EXPECT_EQ(receivers(copy, {{"a", "1"}}), Names{"a"});
}

}  // namespace
}  // namespace sloe::route
