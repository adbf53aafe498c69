#pragma once

#include <chrono>
#include <functional>
#include <string>

// Time and identifiers for new resources, kept in one place so every resource gets the same
// formats.
namespace scim::service {

using Clock = std::function<std::chrono::system_clock::time_point()>;

// RFC 3339 in UTC with millisecond precision, e.g. "2026-01-31T09:15:00.250Z" (RFC 7643 §3.1
// asks for an xsd:dateTime; the fixed width keeps stored values sortable as text).
std::string FormatTimestamp(std::chrono::system_clock::time_point time);

// A random (version 4) UUID in lowercase hex with dashes, from libsodium's randombytes_buf.
// Thread-safe.
std::string NewResourceId();

}  // namespace scim::service
