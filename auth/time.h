#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// Text forms of time used by tokens, the audit log and scimctl.
namespace auth {

// RFC 3339 UTC with exactly three fraction digits, e.g. "2026-12-04T16:16:49.123Z": the form
// every timestamp column holds, which sorts in time order as plain text. Sub-millisecond parts
// are truncated.
std::string FormatTimestamp(std::chrono::system_clock::time_point t);

// Reads an RFC 3339 timestamp (RFC 3339 §5.6): "YYYY-MM-DDTHH:MM:SS", an optional fraction of up
// to 9 digits, then "Z" or a "+HH:MM"/"-HH:MM" offset; 't' and 'z' are accepted as well. A bare
// date "YYYY-MM-DD" means its midnight UTC. nullopt for anything else, including impossible
// dates such as February 30. Never throws.
std::optional<std::chrono::system_clock::time_point> ParseTimestamp(std::string_view text);

// Reads a positive duration written as a number and one unit: "90d", "12h", "30m", "45s".
// nullopt for zero, negative, overflowing or unit-less input.
std::optional<std::chrono::seconds> ParseDuration(std::string_view text);

}  // namespace auth
