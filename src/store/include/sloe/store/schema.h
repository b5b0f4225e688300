// sloe's schema: every numbered migration the binary knows, oldest first.
//
// Append new migrations at the end with the next version; never edit or remove a released one,
// because databases in the field record which versions they already applied.
//
// Thread-safety: the list is built once, on first use, and is immutable afterwards.
#pragma once

#include <vector>

#include "sloe/store/database.h"

namespace sloe::store {

const std::vector<Migration>& sloe_migrations();

}  // namespace sloe::store
