// Private to the config module: one probe or SLO definition -> its spec, plus what the loader
// needs for checks that span files (names, references, timeouts).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reader.h"
#include "sloe/config/model.h"

namespace sloe::config::detail {

struct ParsedProbe {
  ProbeSpec spec;
  SourceLocation location;       // the definition (its mapping)
  SourceLocation name_location;  // line 0 when the name is missing or invalid
  bool timeout_valid = false;    // interval and timeout parsed, so spec.timeout can be compared
};

struct ParsedSlo {
  SloSpec spec;
  SourceLocation location;
  SourceLocation name_location;
  SourceLocation probe_location;      // of sli.<kind>.probe; line 0 when absent
  SourceLocation threshold_location;  // of sli.latency.threshold
  bool has_probe_reference = false;
  bool threshold_valid = false;  // a latency SLI with a parsed, positive threshold
};

struct ParsedAlerting {
  AlertingConfig config;
  AlertingLocations locations;
};

// An Alertmanager configuration document: `top` is its top-level mapping, which has `route:`.
// Reports every problem, including references inside the document (receivers, time intervals);
// nullopt when the routing tree could not be built.
std::optional<ParsedAlerting> parse_alerting(Reader& reader, const Mapping& top);

// Each reports every problem inside the definition; nullopt when it is not even a mapping.
std::optional<ParsedProbe> parse_probe(Reader& reader, const Field& item);
std::optional<ParsedSlo> parse_slo(Reader& reader, const Field& item);

// Probe and SLO names: [a-zA-Z0-9_.-]+ (they appear in metrics, URLs and file names).
bool is_valid_object_name(std::string_view name);
// Reads a required-shape name and reports when it breaks the rule above.
std::optional<std::string> read_object_name(Reader& reader, const Field& field,
                                            const std::string& what);

// Shared by probes and runbook http steps (parse_probe.cpp).
// http(s)://host[:port][/path][?query] without credentials; the error says what is wrong.
Status validate_url(std::string_view url);
// Header names whose values are credentials (Authorization, Cookie, *token*, *secret*, *key*).
bool is_secret_header(std::string_view name);
// RFC 9110 token characters.
bool is_valid_header_name(std::string_view name);
// [A-Za-z_][A-Za-z0-9_]*
bool is_valid_env_name(std::string_view name);
// A list of 200, "200-204" or "2xx" entries; reports each bad one and keeps the others.
void read_status_codes(Reader& reader, const Field& field, std::vector<StatusRange>& out);

// `{ env: NAME }` or `{ file: PATH }`; a scalar is reported as a secret written into the file.
// `what` names the value in messages ("basic_auth password").
std::optional<SecretRef> read_secret_ref(Reader& reader, const Field& field,
                                         const std::string& what);

// sloe.yaml: the one document of agent settings (server, incidents, redaction). Reports every
// problem; sections that are absent or invalid keep their defaults in *out.
void parse_settings_document(Reader& reader, const YAML::Node& document, Settings* out);

// One runbook file of <config>/runbooks/: what it says, plus where the parts that other files
// decide about (allowlisted commands, receivers, the name) were written.
struct ParsedRunbook {
  runbook::Runbook book;
  SourceLocation name_location;  // the `name:` value, or the whole file when named by its stem
  struct Reference {
    std::string name;  // a command's program, or a notify step's receiver
    SourceLocation location;
  };
  std::vector<Reference> commands;
  std::vector<Reference> receivers;
};

// Parses one runbook file: optional YAML front matter between a first line `---` and the next
// `---` line, then Markdown (see runbooks/README.md). reader.file() gives the default name (the
// file's stem). Reports every problem inside the file. Returns what could be read even when some
// of it was reported (steps with errors are left out), so the checks across files still run;
// nullopt only when the file is not a runbook at all (YAML syntax error, unclosed front matter).
std::optional<ParsedRunbook> parse_runbook(Reader& reader, std::string_view text);

// `silences:` of an alerts/ document: each item {matchers: [..], starts_at?, ends_at, created_by,
// comment}, validated as the silences API validates (route::validate). Appends the valid ones.
void parse_silences(Reader& reader, const Field& field, std::vector<route::Silence>* out);

}  // namespace sloe::config::detail
