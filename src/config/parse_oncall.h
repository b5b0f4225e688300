// Private to the config module: on-call documents (alerts/*.yaml without a top-level `route:`)
// -> oncall::OncallConfig. The YAML shape is described at the top of parse_oncall.cpp and in
// docs/oncall.md.
//
// Two phases, so that definitions may reference each other across documents and files:
// parse_oncall_document() reads one document and reports every problem inside it;
// check_oncall() then resolves names (users, rotations, schedules), reports unknown and
// duplicate ones, and builds the configuration.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reader.h"
#include "sloe/oncall/model.h"

namespace sloe::config::detail {

// A name as written, with where it was written.
struct NameRef {
  std::string name;
  SourceLocation location;
};

struct ParsedUser {
  oncall::User user;
  SourceLocation name_location;
};

struct ParsedRotation {
  oncall::Rotation rotation;
  SourceLocation name_location;
  std::vector<NameRef> users;  // parallel to rotation.users
};

struct ParsedLayer {
  oncall::Layer layer;
  SourceLocation rotation_location;
};

struct ParsedSchedule {
  std::string name;
  SourceLocation name_location;
  std::vector<ParsedLayer> layers;
};

// Start and end stay text until check_oncall(): without an offset they are read in a zone that
// may come from the schedule's rotation, defined anywhere.
struct ParsedOverride {
  oncall::Override::Mode mode = oncall::Override::Mode::kReplace;
  NameRef schedule;
  NameRef user;
  std::optional<NameRef> replaces;
  NameRef start;  // the text of start: / end:, with their locations
  NameRef end;
  std::optional<NameRef> time_zone;  // validated
  SourceLocation location;
};

struct ParsedPolicy {
  oncall::EscalationPolicy policy;
  SourceLocation name_location;
  std::vector<std::vector<SourceLocation>> target_locations;  // [step][target]
  std::vector<SourceLocation> attach_locations;  // parallel to policy.attach_to_receivers
};

// Everything read so far, across documents and files.
struct ParsedOncall {
  std::vector<ParsedUser> users;
  std::vector<ParsedRotation> rotations;
  std::vector<ParsedSchedule> schedules;
  std::vector<ParsedOverride> overrides;
  std::vector<ParsedPolicy> policies;
};

// Reads one on-call document (a mapping with users, rotations, schedules, overrides and/or
// escalation_policies). Reports every problem found inside it through reader; keeps what could be
// read, so check_oncall() can report references to it.
void parse_oncall_document(Reader& reader, const YAML::Node& document, ParsedOncall* out);

// The checks that span documents: duplicate names, unknown users / rotations / schedules,
// overrides that could never apply, override times. Appends its diagnostics to out. The returned
// configuration is meaningful only when no error was reported (by this call or the parse).
oncall::OncallConfig check_oncall(const ParsedOncall& parsed, std::vector<Diagnostic>* out);

}  // namespace sloe::config::detail
