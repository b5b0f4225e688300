#include "sloe/alert/matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace sloe::alert {
namespace {

using ::testing::HasSubstr;

Matcher must_parse(std::string_view text) {
  auto matcher = parse_matcher(text);
  EXPECT_TRUE(matcher.ok()) << text << ": " << (matcher.ok() ? "" : matcher.error().message);
  if (!matcher.ok())
    return Matcher::create("invalid", MatchType::kEqual, "").value();
  return std::move(matcher).value();
}

std::string parse_error(std::string_view text) {
  auto matcher = parse_matcher(text);
  EXPECT_FALSE(matcher.ok()) << text << " parsed as " << matcher->to_string();
  return matcher.ok() ? "" : matcher.error().message;
}

std::string list_error(std::string_view text) {
  auto matchers = parse_matchers(text);
  EXPECT_FALSE(matchers.ok()) << text;
  return matchers.ok() ? "" : matchers.error().message;
}

TEST(ParseMatcherTest, EveryOperator) {
  const struct {
    std::string_view text;
    MatchType type;
  } cases[] = {
      {R"(severity="page")", MatchType::kEqual},
      {R"(severity!="page")", MatchType::kNotEqual},
      {R"(severity=~"page")", MatchType::kRegexMatch},
      {R"(severity!~"page")", MatchType::kRegexNoMatch},
  };
  for (const auto& c : cases) {
    const Matcher m = must_parse(c.text);
    EXPECT_EQ(m.name(), "severity") << c.text;
    EXPECT_EQ(m.type(), c.type) << c.text;
    EXPECT_EQ(m.value(), "page") << c.text;
    EXPECT_EQ(m.to_string(), c.text);
  }
}

TEST(ParseMatcherTest, UnquotedValuesAndWhitespace) {
  Matcher m = must_parse("severity=page");
  EXPECT_EQ(m.type(), MatchType::kEqual);
  EXPECT_EQ(m.value(), "page");
  m = must_parse("  severity =~ page|ticket  ");
  EXPECT_EQ(m.type(), MatchType::kRegexMatch);
  EXPECT_EQ(m.value(), "page|ticket");
  m = must_parse("team!=db");
  EXPECT_EQ(m.type(), MatchType::kNotEqual);
  EXPECT_EQ(m.value(), "db");
  m = must_parse("foo=");
  EXPECT_EQ(m.value(), "");
  m = must_parse("url=a=b");  // only the first operator counts
  EXPECT_EQ(m.value(), "a=b");
}

TEST(ParseMatcherTest, QuotedEscapes) {
  EXPECT_EQ(must_parse(R"(msg="say \"hi\"")").value(), "say \"hi\"");
  EXPECT_EQ(must_parse(R"(path="C:\\temp")").value(), "C:\\temp");
  EXPECT_EQ(must_parse(R"(msg="a\nb")").value(), "a\nb");
  // Other escapes stay literal so regexes keep their backslashes.
  EXPECT_EQ(must_parse(R"(host=~"db\.example\.com")").value(), R"(db\.example\.com)");
  EXPECT_EQ(must_parse(R"(msg="a, b} {c")").value(), "a, b} {c");
}

TEST(ParseMatcherTest, ToStringRoundTrips) {
  for (const std::string& value :
       {std::string("plain"), std::string("q\"uote"), std::string("back\\slash"),
        std::string("new\nline"), std::string(""), std::string(R"(a\.b)")}) {
    const Matcher original = Matcher::create("x", MatchType::kRegexMatch, value).value();
    const auto reparsed = parse_matcher(original.to_string());
    ASSERT_TRUE(reparsed.ok()) << original.to_string();
    EXPECT_EQ(*reparsed, original) << original.to_string();
  }
  EXPECT_EQ(Matcher::create("m", MatchType::kEqual, "say \"hi\"\n").value().to_string(),
            R"(m="say \"hi\"\n")");
}

TEST(ParseMatcherTest, MissingOperator) {
  const std::string error = parse_error(R"(severity "page")");
  EXPECT_THAT(error, HasSubstr("missing operator"));
  EXPECT_THAT(error, HasSubstr("\"severity\""));
  EXPECT_THAT(error, HasSubstr("column 10"));
  EXPECT_THAT(parse_error("severity"), HasSubstr("end of input"));
  EXPECT_THAT(parse_error("severity~page"), HasSubstr("missing operator"));
}

TEST(ParseMatcherTest, UnterminatedQuote) {
  const std::string error = parse_error(R"(severity="page)");
  EXPECT_THAT(error, HasSubstr("unterminated"));
  EXPECT_THAT(error, HasSubstr("column 10"));
  EXPECT_THAT(parse_error(R"(severity="page\")"), HasSubstr("unterminated"));
}

TEST(ParseMatcherTest, InvalidLabelName) {
  std::string error = parse_error(R"(1severity="page")");
  EXPECT_THAT(error, HasSubstr("invalid label name \"1severity\""));
  EXPECT_THAT(error, HasSubstr("column 1"));
  error = parse_error(R"(  se-verity="page")");
  EXPECT_THAT(error, HasSubstr("\"se-verity\""));
  EXPECT_THAT(error, HasSubstr("column 3"));
  EXPECT_THAT(parse_error(R"(="page")"), HasSubstr("expected a label name at column 1"));
  EXPECT_THAT(parse_error(""), HasSubstr("expected a label name"));
}

TEST(ParseMatcherTest, BadRegex) {
  const std::string error = parse_error(R"(severity=~"page(")");
  EXPECT_THAT(error, HasSubstr("invalid regular expression \"page(\""));
  EXPECT_THAT(error, HasSubstr("severity"));
  EXPECT_THAT(parse_error(R"(x!~"[a-")"), HasSubstr("invalid regular expression"));
  // Equality matchers take the same text literally.
  EXPECT_EQ(must_parse(R"(severity="page(")").value(), "page(");
}

TEST(ParseMatcherTest, TrailingGarbage) {
  EXPECT_THAT(parse_error(R"(a="b" c="d")"), HasSubstr("column 7"));
  EXPECT_THAT(parse_error(R"(a=b"c")"), HasSubstr("'\"'"));
}

TEST(MatcherCreateTest, RejectsLongRegexAndBadNames) {
  EXPECT_TRUE(Matcher::create("x", MatchType::kRegexMatch, std::string(kMaxRegexLength, 'a')).ok());
  const auto too_long =
      Matcher::create("x", MatchType::kRegexMatch, std::string(kMaxRegexLength + 1, 'a'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_THAT(too_long.error().message, HasSubstr("1024"));
  // Equality values have no length limit.
  EXPECT_TRUE(Matcher::create("x", MatchType::kEqual, std::string(5000, 'a')).ok());
  EXPECT_FALSE(Matcher::create("", MatchType::kEqual, "a").ok());
  EXPECT_FALSE(Matcher::create("a b", MatchType::kEqual, "a").ok());
}

TEST(ParseMatchersTest, BracedAndBareLists) {
  for (std::string_view text : {R"({a="b", c=~"d|e"})", R"(a="b",c=~"d|e")",
                                R"( { a = "b" , c =~ d|e , } )", R"(a=b,c=~"d|e",)"}) {
    const auto matchers = parse_matchers(text);
    ASSERT_TRUE(matchers.ok()) << text << ": " << matchers.error().message;
    ASSERT_EQ(matchers->size(), 2u) << text;
    EXPECT_EQ((*matchers)[0].to_string(), R"(a="b")") << text;
    EXPECT_EQ((*matchers)[1].to_string(), R"(c=~"d|e")") << text;
  }
}

TEST(ParseMatchersTest, EmptyLists) {
  for (std::string_view text : {"{}", " { } ", "", "   "}) {
    const auto matchers = parse_matchers(text);
    ASSERT_TRUE(matchers.ok()) << text;
    EXPECT_TRUE(matchers->empty()) << text;
  }
}

TEST(ParseMatchersTest, CommasInsideQuotesAreNotSeparators) {
  const auto matchers = parse_matchers(R"({msg="a,b}", x="y"})");
  ASSERT_TRUE(matchers.ok()) << matchers.error().message;
  ASSERT_EQ(matchers->size(), 2u);
  EXPECT_EQ((*matchers)[0].value(), "a,b}");
}

TEST(ParseMatchersTest, Errors) {
  EXPECT_THAT(list_error(R"({a="b")"), HasSubstr("missing '}' to close the '{' at column 1"));
  EXPECT_THAT(list_error(R"(a="b"})"), HasSubstr("without an opening '{'"));
  EXPECT_THAT(list_error(R"({a="b"} x)"), HasSubstr("after the closing '}'"));
  EXPECT_THAT(list_error(R"({a="b" c="d"})"), HasSubstr("expected ',' or '}'"));
  EXPECT_THAT(list_error(R"({a="b",,})"), HasSubstr("expected a label name at column 8"));
  // Errors inside a list are located relative to the whole text.
  EXPECT_THAT(list_error(R"({a="b", c=~"(")"), HasSubstr("column 9"));
  EXPECT_THAT(list_error(R"({a="b", 9="x"})"), HasSubstr("invalid label name \"9\" at column 9"));
}

Labels alert_labels() {
  return {{"alertname", "HighErrorRate"}, {"severity", "page"}};
}

TEST(MatcherMatchTest, EqualityOperators) {
  EXPECT_TRUE(must_parse(R"(severity="page")").matches(alert_labels()));
  EXPECT_FALSE(must_parse(R"(severity="ticket")").matches(alert_labels()));
  EXPECT_FALSE(must_parse(R"(severity!="page")").matches(alert_labels()));
  EXPECT_TRUE(must_parse(R"(severity!="ticket")").matches(alert_labels()));
  EXPECT_FALSE(must_parse(R"(severity="PAGE")").matches(alert_labels()));
}

TEST(MatcherMatchTest, MissingLabelReadsAsEmptyString) {
  const Labels labels = alert_labels();  // no "team"
  EXPECT_TRUE(must_parse(R"(team="")").matches(labels));
  EXPECT_FALSE(must_parse(R"(team!="")").matches(labels));
  EXPECT_TRUE(must_parse(R"(team=~".*")").matches(labels));
  EXPECT_FALSE(must_parse(R"(team=~".+")").matches(labels));
  EXPECT_TRUE(must_parse(R"(team!~".+")").matches(labels));
  EXPECT_TRUE(must_parse(R"(team!="db")").matches(labels));
  EXPECT_FALSE(must_parse(R"(team="db")").matches(labels));

  Labels with_team = labels;
  with_team["team"] = "db";
  EXPECT_FALSE(must_parse(R"(team="")").matches(with_team));
  EXPECT_TRUE(must_parse(R"(team!="")").matches(with_team));
}

TEST(MatcherMatchTest, RegexIsAnchored) {
  const Labels labels = alert_labels();
  EXPECT_FALSE(must_parse(R"(severity=~"pa")").matches(labels));
  EXPECT_FALSE(must_parse(R"(severity=~"age")").matches(labels));
  EXPECT_TRUE(must_parse(R"(severity=~"pa.*")").matches(labels));
  EXPECT_TRUE(must_parse(R"(severity!~"pa")").matches(labels));
  // Alternation binds inside the anchors: neither branch may match a mere prefix/suffix.
  EXPECT_TRUE(must_parse(R"(severity=~"page|ticket")").matches(labels));
  EXPECT_FALSE(must_parse(R"(severity=~"pag|xpage")").matches(labels));
  EXPECT_FALSE(must_parse(R"(severity!~"page|ticket")").matches(labels));
  EXPECT_TRUE(must_parse(R"(alertname=~"High.*Rate")").matches(labels));
  EXPECT_TRUE(must_parse(R"(alertname=~"[A-Z][a-z]+ErrorRate")").matches(labels));
}

TEST(MatcherMatchTest, MatchesAll) {
  const auto matchers = parse_matchers(R"({severity="page", alertname=~"High.*"})");
  ASSERT_TRUE(matchers.ok());
  EXPECT_TRUE(matches_all(*matchers, alert_labels()));
  Labels other = alert_labels();
  other["severity"] = "ticket";
  EXPECT_FALSE(matches_all(*matchers, other));
  EXPECT_TRUE(matches_all({}, other));
}

TEST(MatcherMatchTest, LongLabelValues) {
  // Label values can be long (stack traces in labels happen); simple patterns must still work.
  const Labels labels = {{"msg", std::string(10000, 'x')}};
  EXPECT_TRUE(must_parse(R"(msg=~"x+")").matches(labels));
  EXPECT_FALSE(must_parse(R"(msg=~"y.*")").matches(labels));
}

TEST(MatcherMatchTest, AlternationOverAHugeValueNeitherCrashesNorBacktracks) {
  // A backtracking executor recurses once per byte here and overflows the stack on a few KB.
  const Labels labels = {{"msg", std::string(1 << 20, 'x') + "y"}};
  EXPECT_TRUE(must_parse(R"(msg=~"(x|y)*")").matches(labels));
  EXPECT_FALSE(must_parse(R"(msg=~"(x|z)*")").matches(labels));
}

TEST(MatcherParseTest, BackReferencesAreRejectedAsRe2DoesSo) {
  const auto matcher = parse_matcher(R"(a=~"(x)\1")");
  ASSERT_FALSE(matcher.ok());
  EXPECT_NE(matcher.error().message.find("invalid regular expression"), std::string::npos)
      << matcher.error().message;
}

TEST(MatchTypeTest, OperatorText) {
  EXPECT_EQ(to_string(MatchType::kEqual), "=");
  EXPECT_EQ(to_string(MatchType::kNotEqual), "!=");
  EXPECT_EQ(to_string(MatchType::kRegexMatch), "=~");
  EXPECT_EQ(to_string(MatchType::kRegexNoMatch), "!~");
}

}  // namespace
}  // namespace sloe::alert
