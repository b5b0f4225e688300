// The HTML page of a runbook (GET /runbooks/{name}, what an alert's runbook_url points at): one
// self-contained, printable document — inline CSS, no scripts, no external assets — with the
// title, what the runbook applies to, its triggers and recovery targets, the Meaning / Impact /
// Diagnosis / Mitigation sections and the numbered steps with what each does. Text from the
// runbook file goes through markdown_html.h (escaped; only safe links); http steps show header
// names, never their values. The output is well-formed XML as well as HTML.
//
// Private to the api module. Thread-safety: pure functions.
#pragma once

#include <string>

#include "sloe/runbook/model.h"

namespace sloe::api {

// The Content-Security-Policy the pages are served with: nothing loads, only inline styles apply.
inline constexpr const char* kRunbookPageCsp =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

std::string runbook_page_html(const runbook::Runbook& book);

// A page saying there is no runbook `name` (served with 404).
std::string runbook_not_found_html(const std::string& name);

}  // namespace sloe::api
