// The postmortem as JSON: the `format=json` export and, unchanged, the context of the Mustache
// templates (app/postmortem_render.h). docs/postmortem-template.md documents every key for
// template authors; keep the two in step.
//
// Shape: one object; keys are snake_case; lists are arrays of objects (a list of words is
// [{"text": "..."}]) so a template can name the field it shows; every optional part has a boolean
// has_<part> so a template can say "none" instead of leaving a section empty; display strings are
// pre-formatted (document.h) and ratios are also given as numbers for programs.
#pragma once

#include <string>

#include "sloe/postmortem/document.h"

namespace sloe::api {

// Compact JSON (one line). Bytes that are not UTF-8 are replaced with U+FFFD.
std::string postmortem_to_json(const postmortem::Document& document);

}  // namespace sloe::api
