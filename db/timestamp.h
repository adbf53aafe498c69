#pragma once

#include <string>

namespace db {

// The current UTC time as RFC 3339 with millisecond precision ("2026-12-04T16:16:49.123Z"),
// the text form every timestamp column uses: it sorts in time order as plain text.
std::string UtcNowMillis();

}  // namespace db
