#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Entity tags of resource versions (RFC 7644 §3.14).
namespace scim::service {

// The weak entity tag of a version, `W/"<version>"`.
std::string EtagFor(std::int64_t version);

// True when an If-Match / If-None-Match header value names `version`: `*`, or a comma-separated
// list of entity tags one of which is `W/"<version>"` or `"<version>"`. Weak and strong forms
// compare alike because every tag we issue is weak.
bool EtagMatches(std::string_view header, std::int64_t version);

}  // namespace scim::service
