// Runbook files (<config>/runbooks/*.md): an optional YAML front matter saying what the runbook
// applies to and which steps it has, then Markdown for people. The front matter is handed to
// yaml-cpp together with its opening `---` line (a YAML document marker), so yaml-cpp's marks are
// already the file's line numbers.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "parse.h"
#include "sloe/alert/matcher.h"
#include "sloe/core/duration.h"
#include "sloe/core/text.h"
#include "sloe/runbook/run.h"

namespace sloe::config::detail {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> kRunbookKeys{"name",     "title",    "applies_to",
                                            "triggers", "recovery", "steps"};
const std::vector<std::string> kAppliesToKeys{"matchers", "services", "severities"};
const std::vector<std::string> kRecoveryKeys{"rpo", "rto"};
const std::vector<std::string> kKinds{"manual", "http", "command", "notify", "approval"};
const std::vector<std::string> kHttpStepKeys{"url",  "method",        "headers",
                                             "body", "expect_status", "timeout"};
const std::vector<std::string> kCommandKeys{"program", "args", "timeout"};
const std::vector<std::string> kNotifyKeys{"receiver", "message"};
const std::vector<std::string> kApprovalKeys{"prompt", "expires"};
const std::vector<std::string> kHeaderSecretKeys{"env"};
const std::vector<std::string> kMethods{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
const std::vector<std::string> kTriggers{"open", "severity_change", "manual"};

constexpr milliseconds kMaxStepTimeout = std::chrono::hours(1);
constexpr milliseconds kMaxApprovalExpiry = std::chrono::hours(24);

// Markdown sections copied into Runbook fields (headings compared case-insensitively).
struct Section {
  std::string_view heading;
  std::string runbook::Runbook::*field;
};
const std::vector<Section> kSections{{"meaning", &runbook::Runbook::meaning},
                                     {"impact", &runbook::Runbook::impact},
                                     {"diagnosis", &runbook::Runbook::diagnosis},
                                     {"mitigation", &runbook::Runbook::mitigation}};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words)
    out += (out.empty() ? "" : ", ") + word;
  return out;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos)
    return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

bool is_valid_runbook_name(std::string_view name) {
  const auto allowed = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (!first && (c == '_' || c == '.' || c == '-'));
  };
  if (name.empty() || !allowed(name.front(), true))
    return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return allowed(c, false); });
}

bool is_valid_step_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool is_single_line(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// --- Splitting front matter from Markdown -------------------------------------------------------

struct Parts {
  std::string front_matter;  // from the opening `---` line up to the closing one (exclusive)
  std::string markdown;      // after the closing `---` line (the whole text without one)
  bool has_front_matter = false;
  bool unterminated = false;
};

bool is_marker_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  return line == "---";
}

Parts split(std::string_view text) {
  Parts parts;
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom)
    text.remove_prefix(kBom.size());
  const auto line_end = [&text](std::size_t from) {
    const std::size_t newline = text.find('\n', from);
    return newline == std::string_view::npos ? text.size() : newline;
  };
  std::size_t end = line_end(0);
  if (!is_marker_line(text.substr(0, end))) {
    parts.markdown = std::string(text);
    return parts;
  }
  parts.has_front_matter = true;
  std::size_t start = end + 1;
  while (start <= text.size()) {
    end = line_end(start);
    if (is_marker_line(text.substr(start, end - start))) {
      parts.front_matter = std::string(text.substr(0, start));
      parts.markdown = end < text.size() ? std::string(text.substr(end + 1)) : std::string();
      return parts;
    }
    if (end >= text.size())
      break;
    start = end + 1;
  }
  parts.unterminated = true;
  return parts;
}

// --- Markdown ---------------------------------------------------------------------------------

bool is_fence(std::string_view line) {
  const std::string_view trimmed = trim(line);
  return trimmed.substr(0, 3) == "```" || trimmed.substr(0, 3) == "~~~";
}

// "## Meaning ##" -> level 2, "Meaning". Level 0 when the line is not an ATX heading.
std::pair<int, std::string_view> heading_of(std::string_view line) {
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  int level = 0;
  while (static_cast<std::size_t>(level) < line.size() && line[level] == '#')
    ++level;
  if (level == 0 || level > 6 || static_cast<std::size_t>(level) == line.size() ||
      (line[level] != ' ' && line[level] != '\t'))
    return {0, {}};
  std::string_view text = trim(line.substr(level));
  while (!text.empty() && text.back() == '#')
    text.remove_suffix(1);
  return {level, trim(text)};
}

// Title from the first "# " heading and the four known "## " sections; headings inside fenced
// code blocks (a shell comment in a ```sh block) are text.
void read_markdown(const std::string& markdown, runbook::Runbook& book, std::string& title) {
  std::string* current = nullptr;
  bool in_fence = false;
  std::size_t start = 0;
  while (start < markdown.size()) {
    std::size_t end = markdown.find('\n', start);
    if (end == std::string::npos)
      end = markdown.size();
    const std::string_view line(markdown.data() + start, end - start);
    start = end + 1;
    if (is_fence(line))
      in_fence = !in_fence;
    const auto [level, text] =
        in_fence ? std::pair<int, std::string_view>{0, {}} : heading_of(line);
    if (level == 1 && title.empty())
      title = std::string(text);
    if (level == 1 || level == 2) {
      current = nullptr;
      if (level == 2) {
        const std::string name = lower(text);
        for (const Section& section : kSections) {
          if (name == section.heading && (book.*section.field).empty())
            current = &(book.*section.field);
        }
      }
      continue;
    }
    if (current != nullptr) {
      current->append(line);
      current->push_back('\n');
    }
  }
  for (const Section& section : kSections) {
    std::string& text = book.*section.field;
    text = std::string(trim(text));
  }
}

// --- Front matter -----------------------------------------------------------------------------

class RunbookParser {
 public:
  RunbookParser(Reader& reader, ParsedRunbook& out) : reader_(reader), out_(out) {}

  // Returns false when the front matter was unusable as a whole.
  bool read(const YAML::Node& document) {
    if (document.IsNull())
      return true;
    auto top = Mapping::read_node(reader_, document, reader_.location(document), "front matter");
    if (!top)
      return false;
    top->check_keys(reader_, kRunbookKeys, "the runbook's front matter");
    if (const Field* name = top->get("name"))
      read_name(*name);
    if (const Field* title = top->get("title")) {
      if (auto text = read_line(*title))
        out_.book.title = *text;
    }
    if (const Field* applies_to = top->get("applies_to"))
      read_applies_to(*applies_to);
    if (const Field* triggers = top->find("triggers"))
      read_triggers(*triggers);
    if (const Field* recovery = top->get("recovery"))
      read_recovery(*recovery);
    if (const Field* steps = top->get("steps"))
      read_steps(*steps);
    return true;
  }

 private:
  // A non-empty one-line string.
  std::optional<std::string> read_line(const Field& field) {
    auto text = read_string(reader_, field);
    if (!text)
      return std::nullopt;
    const std::string trimmed(trim(*text));
    if (trimmed.empty()) {
      reader_.error(field.value_location, field.key + ": must not be empty");
      return std::nullopt;
    }
    if (!is_single_line(trimmed)) {
      reader_.error(field.value_location, field.key + ": must be a single line");
      return std::nullopt;
    }
    return trimmed;
  }

  void read_name(const Field& field) {
    out_.name_location = field.value_location;  // named here, even when badly
    auto name = read_string(reader_, field);
    if (!name)
      return;
    if (!is_valid_runbook_name(*name)) {
      reader_.error(field.value_location,
                    "name: '" + *name +
                        "' is not a valid runbook name (lower-case letters and digits, then also "
                        "'_', '.' and '-'; it appears in URLs)");
      return;
    }
    out_.book.name = *name;
  }

  void read_applies_to(const Field& field) {
    auto mapping = Mapping::read(reader_, field, "applies_to");
    if (!mapping)
      return;
    mapping->check_keys(reader_, kAppliesToKeys, "applies_to");
    runbook::AppliesTo& to = out_.book.applies_to;
    if (const Field* matchers = mapping->get("matchers")) {
      if (auto items = read_list(reader_, *matchers)) {
        for (const Field& item : *items) {
          auto text = read_string(reader_, item);
          if (!text)
            continue;
          auto parsed = alert::parse_matchers(*text);
          if (!parsed) {
            reader_.error(item.value_location,
                          "invalid matcher '" + *text + "': " + parsed.error().message);
            continue;
          }
          if (parsed->empty()) {
            reader_.error(item.value_location, item.key + ": empty matcher");
            continue;
          }
          for (alert::Matcher& matcher : *parsed)
            to.matchers.push_back(std::move(matcher));
        }
      }
    }
    if (const Field* services = mapping->get("services")) {
      if (auto items = read_list(reader_, *services)) {
        for (const Field& item : *items) {
          if (auto service = read_line(item))
            to.services.push_back(*service);
        }
      }
    }
    if (const Field* severities = mapping->get("severities")) {
      if (auto items = read_list(reader_, *severities)) {
        for (const Field& item : *items) {
          auto text = read_string(reader_, item);
          if (!text)
            continue;
          const auto severity = incident::parse_severity(*text);
          if (!severity) {
            reader_.error(item.value_location, item.key +
                                                   ": expected one of SEV1, SEV2, SEV3, "
                                                   "SEV4, got '" +
                                                   *text + "'");
            continue;
          }
          to.severities.push_back(*severity);
        }
      }
    }
  }

  void read_triggers(const Field& field) {
    out_.book.triggers.clear();
    if (field.is_null())
      return;  // `triggers:` with nothing: by hand only
    auto items = read_list(reader_, field);
    if (!items)
      return;
    for (const Field& item : *items) {
      auto text = read_string(reader_, item);
      if (!text)
        continue;
      const auto trigger = runbook::parse_trigger(*text);
      if (!trigger) {
        const std::string suggestion = closest_match(*text, kTriggers);
        reader_.error(item.value_location,
                      item.key + ": unknown trigger '" + *text + "'" +
                          (suggestion.empty() ? " (expected one of: " + joined(kTriggers) + ")"
                                              : "; did you mean '" + suggestion + "'?"));
        continue;
      }
      auto& triggers = out_.book.triggers;
      if (std::find(triggers.begin(), triggers.end(), *trigger) != triggers.end()) {
        reader_.error(item.value_location, "trigger '" + *text + "' is listed twice");
        continue;
      }
      triggers.push_back(*trigger);
    }
  }

  // A duration above zero and at most `max` (when given).
  std::optional<milliseconds> read_positive_duration(const Field& field,
                                                     std::optional<milliseconds> max) {
    auto duration = read_duration(reader_, field);
    if (!duration)
      return std::nullopt;
    if (duration->count() <= 0) {
      reader_.error(field.value_location, field.key + ": must be longer than 0s");
      return std::nullopt;
    }
    if (max && *duration > *max) {
      reader_.error(field.value_location, field.key + ": " + format_duration(*duration) +
                                              " is longer than the limit of " +
                                              format_duration(*max));
      return std::nullopt;
    }
    return duration;
  }

  void read_recovery(const Field& field) {
    auto mapping = Mapping::read(reader_, field, "recovery");
    if (!mapping)
      return;
    mapping->check_keys(reader_, kRecoveryKeys, "recovery");
    if (const Field* rpo = mapping->get("rpo")) {
      if (auto value = read_positive_duration(*rpo, std::nullopt))
        out_.book.recovery.rpo = *value;
    }
    if (const Field* rto = mapping->get("rto")) {
      if (auto value = read_positive_duration(*rto, std::nullopt))
        out_.book.recovery.rto = *value;
    }
  }

  void read_steps(const Field& field) {
    auto items = read_list(reader_, field);
    if (!items)
      return;
    std::vector<SourceLocation> id_locations;
    for (std::size_t i = 0; i < items->size(); ++i) {
      SourceLocation id_location;
      auto step = read_step((*items)[i], i, id_location);
      if (!step)
        continue;
      const auto& steps = out_.book.steps;
      for (std::size_t j = 0; j < steps.size(); ++j) {
        if (steps[j].id == step->id) {
          reader_.error(id_location, "duplicate step id '" + step->id + "' (first at line " +
                                         std::to_string(id_locations[j].line) + ")");
        }
      }
      out_.book.steps.push_back(std::move(*step));
      id_locations.push_back(id_location);
    }
  }

  std::optional<runbook::Step> read_step(const Field& item, std::size_t index,
                                         SourceLocation& id_location) {
    auto mapping = Mapping::read(reader_, item, "step " + std::to_string(index + 1));
    if (!mapping)
      return std::nullopt;
    const std::size_t errors = reader_.error_count();
    runbook::Step step;
    step.id = "step-" + std::to_string(index + 1);
    id_location = mapping->location();
    if (const Field* id = mapping->get("id")) {
      auto text = read_string(reader_, *id);
      if (text && is_valid_step_id(*text)) {
        step.id = *text;
        id_location = id->value_location;
      } else if (text) {
        reader_.error(id->value_location,
                      "id: '" + *text + "' is not a valid step id (a-z, 0-9, '_' and '-')");
      }
    }
    const std::string context = "step '" + step.id + "'";
    std::vector<std::string> allowed{"id", "title", "description"};
    allowed.insert(allowed.end(), kKinds.begin(), kKinds.end());
    mapping->check_keys(reader_, allowed, context);
    if (const Field* title = mapping->require(reader_, "title", context)) {
      if (auto text = read_line(*title))
        step.title = *text;
    }
    if (const Field* description = mapping->get("description"))
      step.description = read_string(reader_, *description).value_or("");

    const Field* kind = nullptr;
    for (const std::string& name : kKinds) {
      const Field* field = mapping->find(name);
      if (field == nullptr)
        continue;
      if (kind != nullptr) {
        reader_.error(field->key_location, context + " has both '" + kind->key + "' and '" + name +
                                               "'; a step does one thing: split it into two "
                                               "steps");
        continue;
      }
      kind = field;
    }
    if (kind == nullptr) {
      reader_.error(mapping->location(), context + " says nothing to do: give exactly one of " +
                                             joined(kKinds) +
                                             " (a checklist item is `manual: true`)");
      return std::nullopt;
    }
    if (kind->key == "manual") {
      const auto value = read_bool(reader_, *kind);
      if (value && !*value) {
        reader_.error(kind->value_location,
                      "manual: write `manual: true` for a checklist item, or give the step "
                      "another kind");
      }
      step.action = runbook::ManualStep{};
    } else if (kind->key == "http") {
      step.action = read_http(*kind, context);
    } else if (kind->key == "command") {
      step.action = read_command(*kind, context);
    } else if (kind->key == "notify") {
      step.action = read_notify(*kind, context);
    } else {
      step.action = read_approval(*kind, context);
    }
    if (reader_.error_count() != errors)
      return std::nullopt;
    return step;
  }

  runbook::HttpStep read_http(const Field& field, const std::string& step) {
    runbook::HttpStep http;
    const std::string context = "http of " + step;
    auto mapping = Mapping::read(reader_, field, context);
    if (!mapping)
      return http;
    mapping->check_keys(reader_, kHttpStepKeys, context);
    if (const Field* url = mapping->require(reader_, "url", context)) {
      if (auto text = read_string(reader_, *url)) {
        // Placeholders stand for values known only when the step runs; check the rest of the URL
        // around sample values.
        const runbook::Placeholders sample{"1", "service", "SEV1", "runbook"};
        const auto valid = validate_url(runbook::expand_placeholders(*text, sample));
        if (!valid)
          reader_.error(url->value_location, "url '" + *text + "' " + valid.error().message);
        http.url = *text;
      }
    }
    if (const Field* method = mapping->get("method")) {
      if (auto text = read_string(reader_, *method)) {
        std::string upper = *text;
        for (char& c : upper)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (std::find(kMethods.begin(), kMethods.end(), upper) == kMethods.end()) {
          reader_.error(method->value_location,
                        "method: expected one of " + joined(kMethods) + ", got '" + *text + "'");
        }
        http.method = upper;
      }
    }
    if (const Field* headers = mapping->get("headers"))
      read_headers(*headers, context, http.headers);
    if (const Field* body = mapping->get("body"))
      http.body = read_string(reader_, *body).value_or("");
    if (const Field* expect = mapping->get("expect_status")) {
      std::vector<StatusRange> ranges;
      read_status_codes(reader_, *expect, ranges);
      for (const StatusRange& range : ranges)
        http.expect_status.emplace_back(range.low, range.high);
    }
    if (const Field* timeout = mapping->get("timeout")) {
      if (auto value = read_positive_duration(*timeout, kMaxStepTimeout))
        http.timeout = *value;
    }
    return http;
  }

  void read_headers(const Field& field, const std::string& context,
                    std::vector<runbook::HttpHeaderSpec>& out) {
    auto headers = Mapping::read(reader_, field, "headers of " + context);
    if (!headers)
      return;
    for (const Field& header : headers->fields()) {
      if (!is_valid_header_name(header.key)) {
        reader_.error(header.key_location, "'" + header.key + "' is not a valid header name");
        continue;
      }
      const auto same_name = [&](const runbook::HttpHeaderSpec& h) {
        return lower(h.name) == lower(header.key);
      };
      if (std::any_of(out.begin(), out.end(), same_name)) {
        reader_.error(header.key_location,
                      "header '" + header.key + "' is set twice (header names ignore case)");
        continue;
      }
      const std::string what = "header '" + header.key + "'";
      if (header.is_null()) {
        reader_.error(header.key_location, what + " has no value (write \"\" for an empty one)");
        continue;
      }
      runbook::HttpHeaderSpec parsed;
      parsed.name = header.key;
      if (header.value.IsScalar()) {
        if (is_secret_header(header.key)) {
          reader_.error(header.value_location,
                        what +
                            " carries a credential: write { env: NAME } and set the variable "
                            "in the agent's environment instead of writing it into the file");
          continue;
        }
        if (!is_single_line(header.value.Scalar())) {
          reader_.error(header.value_location, what + ": the value must be a single line");
          continue;
        }
        parsed.value = header.value.Scalar();
      } else {
        auto secret = Mapping::read(reader_, header, what);
        if (!secret)
          continue;
        secret->check_keys(reader_, kHeaderSecretKeys, what);
        const Field* env = secret->require(reader_, "env", what);
        if (env == nullptr)
          continue;
        auto name = read_string(reader_, *env);
        if (!name)
          continue;
        if (!is_valid_env_name(*name)) {
          reader_.error(env->value_location, "env: '" + *name +
                                                 "' is not a valid environment variable name "
                                                 "([A-Za-z_][A-Za-z0-9_]*)");
          continue;
        }
        parsed.secret_env = *name;
      }
      out.push_back(std::move(parsed));
    }
  }

  runbook::CommandStep read_command(const Field& field, const std::string& step) {
    runbook::CommandStep command;
    const std::string context = "command of " + step;
    auto mapping = Mapping::read(reader_, field, context);
    if (!mapping)
      return command;
    mapping->check_keys(reader_, kCommandKeys, context);
    if (const Field* program = mapping->require(reader_, "program", context)) {
      if (auto text = read_string(reader_, *program)) {
        if (text->empty() || text->front() != '/' || !is_single_line(*text)) {
          reader_.error(program->value_location,
                        "program: '" + *text +
                            "' is not an absolute path; commands run without a shell or PATH "
                            "lookup, so name the program as /usr/bin/...");
        } else {
          out_.commands.push_back({*text, program->value_location});
        }
        command.program = *text;
      }
    }
    if (const Field* args = mapping->get("args")) {
      if (auto items = read_list(reader_, *args)) {
        for (const Field& item : *items) {
          if (auto arg = read_string(reader_, item))
            command.args.push_back(*arg);
        }
      }
    }
    if (const Field* timeout = mapping->get("timeout")) {
      if (auto value = read_positive_duration(*timeout, kMaxStepTimeout))
        command.timeout = *value;
    }
    return command;
  }

  runbook::NotifyStep read_notify(const Field& field, const std::string& step) {
    runbook::NotifyStep notify;
    const std::string context = "notify of " + step;
    auto mapping = Mapping::read(reader_, field, context);
    if (!mapping)
      return notify;
    mapping->check_keys(reader_, kNotifyKeys, context);
    if (const Field* receiver = mapping->require(reader_, "receiver", context)) {
      if (auto name = read_line(*receiver)) {
        notify.receiver = *name;
        out_.receivers.push_back({*name, receiver->value_location});
      }
    }
    if (const Field* message = mapping->require(reader_, "message", context)) {
      if (auto text = read_string(reader_, *message)) {
        if (trim(*text).empty())
          reader_.error(message->value_location, "message: must not be empty");
        notify.message = *text;
      }
    }
    return notify;
  }

  runbook::ApprovalStep read_approval(const Field& field, const std::string& step) {
    runbook::ApprovalStep approval;
    const std::string context = "approval of " + step;
    auto mapping = Mapping::read(reader_, field, context);
    if (!mapping)
      return approval;
    mapping->check_keys(reader_, kApprovalKeys, context);
    if (const Field* prompt = mapping->get("prompt"))
      approval.prompt = read_string(reader_, *prompt).value_or("");
    if (const Field* expires = mapping->get("expires")) {
      if (auto value = read_positive_duration(*expires, kMaxApprovalExpiry))
        approval.expires_after = *value;
    }
    return approval;
  }

  Reader& reader_;
  ParsedRunbook& out_;
};

}  // namespace

std::optional<ParsedRunbook> parse_runbook(Reader& reader, std::string_view text) {
  ParsedRunbook out;
  out.book.file = reader.file();
  out.book.name = std::filesystem::path(reader.file()).stem().string();
  out.name_location = SourceLocation{reader.file(), 0, 0};
  Parts parts = split(text);
  if (parts.unterminated) {
    reader.error(reader.location(0, 0),
                 "the front matter opened by '---' on line 1 is never closed: end it with a line "
                 "'---' before the Markdown");
    return std::nullopt;
  }
  if (parts.has_front_matter) {
    YAML::Node document;
    try {
      document = YAML::Load(parts.front_matter);
    } catch (const YAML::Exception& e) {
      reader.error(reader.location(e.mark.line, e.mark.column), "YAML syntax error: " + e.msg);
      return std::nullopt;
    }
    try {
      RunbookParser parser(reader, out);
      if (!parser.read(document))
        return std::nullopt;
    } catch (const YAML::Exception& e) {
      reader.error(reader.location(document),
                   std::string("could not read front matter: ") + e.what());
      return std::nullopt;
    }
  }
  if (!is_valid_runbook_name(out.book.name) && out.name_location.line == 0) {
    reader.error(out.name_location,
                 "the file name gives the runbook name '" + out.book.name +
                     "', which is not valid (lower-case letters and digits, then also '_', '.' "
                     "and '-'): rename the file or set `name:` in the front matter");
  }

  std::string heading;
  read_markdown(parts.markdown, out.book, heading);
  const std::string_view body = parts.markdown;
  const std::size_t first = body.find_first_not_of("\r\n");
  out.book.body = first == std::string_view::npos ? std::string() : std::string(body.substr(first));
  if (out.book.title.empty())
    out.book.title = heading.empty() ? out.book.name : heading;
  return out;
}

}  // namespace sloe::config::detail
