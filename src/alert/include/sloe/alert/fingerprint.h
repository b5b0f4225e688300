// Fingerprint: the identity of a label set, computed exactly as Prometheus' model package does
// (labelSetToFingerprint), so it equals the `fingerprint` field of Alertmanager webhook payloads
// and an alert keeps its identity whether sloe evaluated it or received it from Alertmanager.
//
// Algorithm: FNV-1a 64 over the labels in name order; for each label, the name bytes, the
// separator byte 0xff, the value bytes, 0xff. The empty set hashes to the FNV offset basis
// (cbf29ce484222325).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "sloe/core/labels.h"

namespace sloe::alert {

std::uint64_t fingerprint(const Labels& labels);

// The fingerprint as 16 lowercase hex digits, zero padded (Go's %016x).
std::string fingerprint_hex(const Labels& labels);

}  // namespace sloe::alert
