// The runbook Markdown subset: what becomes markup, and that everything else stays text.
#include "markdown_html.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "xml_check.h"

namespace sloe::api {
namespace {

bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

// The converter's output inside one root element, as a page embeds it.
void expect_well_formed(const std::string& html) {
  if (!testing::have_xmllint())
    return;  // CI installs it; without it only the other assertions run
  EXPECT_EQ(testing::xml_errors("<div>" + html + "</div>"), "") << html;
}

TEST(EscapeHtml, EscapesTheFiveCharactersAndReplacesWhatXmlCannotHold) {
  EXPECT_EQ(escape_html(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(escape_html("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5");  // UTF-8 passes through
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(escape_html(std::string("a\x01"
                                    "b\x7F"
                                    "c",
                                    5)),
            "a" + replacement + "b" + replacement + "c");
  EXPECT_EQ(escape_html("\xC3"), replacement);                    // truncated sequence
  EXPECT_EQ(escape_html("\xC0\xAF"), replacement + replacement);  // overlong '/'
  EXPECT_EQ(escape_html("\xED\xA0\x80"), replacement + replacement + replacement);  // surrogate
  EXPECT_EQ(escape_html("\xEF\xBF\xBF"), replacement + replacement + replacement);  // U+FFFF
  EXPECT_EQ(escape_html("tab\tnew\nline"), "tab\tnew\nline");
}

TEST(SafeLinkTarget, OnlyHttpHttpsAndRelativeTargets) {
  for (const char* good :
       {"https://grafana.example/d/x?a=1&b=2", "http://localhost:3000", "HTTPS://EXAMPLE.COM",
        "/runbooks/slo-fast-burn", "#step-2", "../docs/backup.md", "docs/x.md", "?q=1"}) {
    EXPECT_TRUE(is_safe_link_target(good)) << good;
  }
  for (const char* bad : {"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x",
                          "vbscript:x", "file:///etc/passwd", "mailto:a@b", "", "a b",
                          "java\tscript:x", "\\\\evil.example\\x", "ftp://x"}) {
    EXPECT_FALSE(is_safe_link_target(bad)) << bad;
  }
}

TEST(Markdown, HeadingsAndParagraphs) {
  const std::string html = markdown_to_html(
      "# Title\n\nFirst line\nsecond line.\n\n## Sub ##\n"
      "Text after.\n###### Six\n####### not a heading\n");
  EXPECT_EQ(html,
            "<h1>Title</h1>\n<p>First line\nsecond line.</p>\n<h2>Sub</h2>\n<p>Text after.</p>\n"
            "<h6>Six</h6>\n<p>####### not a heading</p>\n");
  EXPECT_EQ(markdown_to_html("#hashtag"), "<p>#hashtag</p>\n");
  expect_well_formed(html);
}

TEST(Markdown, HeadingShiftPutsHeadingsUnderThePagesOwn) {
  EXPECT_EQ(markdown_to_html("# A\n### C\n###### F", MarkdownOptions{2}),
            "<h3>A</h3>\n<h5>C</h5>\n<h6>F</h6>\n");
}

TEST(Markdown, TightAndLooseLists) {
  EXPECT_EQ(markdown_to_html("- one\n- two **bold**\n* other list\n"),
            "<ul>\n<li>one</li>\n<li>two <strong>bold</strong></li>\n</ul>\n"
            "<ul>\n<li>other list</li>\n</ul>\n");
  EXPECT_EQ(markdown_to_html("1. first\n\n2. second\n"),
            "<ol>\n<li><p>first</p></li>\n<li><p>second</p></li>\n</ol>\n");
  EXPECT_EQ(markdown_to_html("3) three\n4) four"),
            "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n");
}

TEST(Markdown, NestedListsAndContinuationLines) {
  const std::string html = markdown_to_html(
      "1. Check the dashboard\n"
      "   - error rate\n"
      "   - latency\n"
      "2. Roll back\n"
      "continued lazily\n"
      "\n"
      "After the list.\n");
  EXPECT_EQ(
      html,
      "<ol>\n<li>Check the dashboard\n<ul>\n<li>error rate</li>\n<li>latency</li>\n</ul></li>\n"
      "<li>Roll back\ncontinued lazily</li>\n</ol>\n<p>After the list.</p>\n");
  expect_well_formed(html);
}

TEST(Markdown, ParagraphThenListWithoutBlankLine) {
  EXPECT_EQ(markdown_to_html("Steps:\n- a\n- b"),
            "<p>Steps:</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
  // A number that is not 1 does not start a list inside a paragraph.
  EXPECT_EQ(markdown_to_html("We waited\n2024. Then"), "<p>We waited\n2024. Then</p>\n");
}

TEST(Markdown, FencedCodeIsVerbatimAndEscaped) {
  const std::string html = markdown_to_html(
      "```sh\ncurl -s 'http://x/?a=1&b=<2>' | jq .\n  **not bold**\n```\n~~~\n<b>\n~~~");
  EXPECT_EQ(html,
            "<pre><code class=\"language-sh\">curl -s &#39;http://x/?a=1&amp;b=&lt;2&gt;&#39; | "
            "jq .\n  **not bold**\n</code></pre>\n<pre><code>&lt;b&gt;\n</code></pre>\n");
  // An unclosed fence runs to the end; a hostile info string is not a class.
  EXPECT_EQ(markdown_to_html("``` x\" onload=\"y\ncode"), "<pre><code>code\n</code></pre>\n");
  expect_well_formed(html);
}

TEST(Markdown, InlineCodeBoldAndEscapes) {
  EXPECT_EQ(markdown_to_html("Run `sloe check <dir>` then **restart** \\*not\\* `` a`b ``."),
            "<p>Run <code>sloe check &lt;dir&gt;</code> then <strong>restart</strong> *not* "
            "<code>a`b</code>.</p>\n");
  EXPECT_EQ(markdown_to_html("a ** b ** and **unclosed and `open"),
            "<p>a ** b ** and **unclosed and `open</p>\n");
}

TEST(Markdown, LinksOnlyWithSafeTargets) {
  EXPECT_EQ(markdown_to_html("See [the **dashboard**](https://g.example/d?a=1&b=2) and "
                             "[step 2](#step-check) and [wiki](https://w.example/A_(b))."),
            "<p>See <a href=\"https://g.example/d?a=1&amp;b=2\">the <strong>dashboard</strong></a>"
            " and <a href=\"#step-check\">step 2</a> and <a href=\"https://w.example/A_(b)\">wiki"
            "</a>.</p>\n");
  const std::string evil = markdown_to_html(
      "[click](javascript:alert(document.cookie)) [x](data:text/html;base64,PHN>) "
      "[y](JAVASCRIPT:alert(1)) [z](  javascript:alert(1))");
  EXPECT_FALSE(contains(evil, "<a")) << evil;
  EXPECT_TRUE(contains(evil, "[click](javascript:alert(document.cookie))")) << evil;
  // A link inside a link's text stays text.
  EXPECT_EQ(markdown_to_html("[a [b](/x) c](/y)"), "<p><a href=\"/y\">a [b](/x) c</a></p>\n");
}

TEST(Markdown, RawHtmlIsText) {
  const std::string html = markdown_to_html(
      "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
      "- <iframe src=\"https://evil.example\"></iframe>\n\n"
      "# <b>bold?</b>\n\n`<script>`");
  EXPECT_FALSE(contains(html, "<script")) << html;
  EXPECT_FALSE(contains(html, "<img")) << html;
  EXPECT_FALSE(contains(html, "<iframe")) << html;
  EXPECT_FALSE(contains(html, "<b>")) << html;
  EXPECT_TRUE(contains(html, "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>")) << html;
  EXPECT_TRUE(contains(html, "<h1>&lt;b&gt;bold?&lt;/b&gt;</h1>")) << html;
  expect_well_formed(html);
}

TEST(Markdown, ThematicBreaksAndWindowsLineEnds) {
  EXPECT_EQ(markdown_to_html("a\r\n\r\n---\r\n* * *\r\nb\r\n"),
            "<p>a</p>\n<hr/>\n<hr/>\n<p>b</p>\n");
}

TEST(Markdown, DeepNestingIsCutOffNotRecursedWithoutEnd) {
  std::string deep;
  for (int i = 0; i < 200; ++i)
    deep += std::string(static_cast<std::size_t>(i) * 2, ' ') + "- level\n";
  std::string bold;
  for (int i = 0; i < 200; ++i)
    bold += "**[x](/a) ";
  const std::string html = markdown_to_html(deep + "\n" + bold);
  EXPECT_TRUE(contains(html, "<ul>"));
  expect_well_formed(html);
}

// Every output is well-formed, whatever the input: a corpus of awkward fragments, each alone and
// all concatenated.
TEST(Markdown, AlwaysWellFormed) {
  const std::vector<std::string> corpus = {
      "*",
      "**",
      "***",
      "`",
      "``",
      "[",
      "]",
      "[](",
      "[a](",
      "[a]()",
      "[a](/b",
      "<",
      "&",
      "&amp;",
      "&#x3C;",
      "]]>",
      "<![CDATA[x]]>",
      "<!-- c -->",
      "\"'",
      "#",
      "# ",
      "- ",
      "1.",
      "1. ",
      "```",
      "~~~~",
      "    indented",
      "\t- tab item",
      "- a\n  ```\n  code\n",
      "> quote",
      "| a | b |\n|---|---|",
      "line  \nbreak",
      "\xFF\xFE",
      std::string("a\0b", 3),
      "\x1B[31mred",
      "**a `b** c`",
      "[**a](/b)**",
      "- [ ] todo",
      "1. a\n   1. b\n      1. c\n         d",
  };
  std::string all;
  for (const std::string& text : corpus) {
    SCOPED_TRACE(text);
    expect_well_formed(markdown_to_html(text));
    all += text + "\n";
  }
  expect_well_formed(markdown_to_html(all));
}

}  // namespace
}  // namespace sloe::api
