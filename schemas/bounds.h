#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"
#include "scim/result.h"

// Bounds on what one stored resource may hold, so that no write (a PATCH above all, which can
// grow a resource by a request body at a time) makes a resource that every later read, filter
// and sort over it has to carry.
namespace schemas {

// At most this many values in one multi-valued attribute (or multi-valued sub-attribute) of a
// stored document, core or extension. Far above what a directory keeps for one person (a few
// emails, phone numbers, roles), and low enough that a filter or sort that walks the values of
// one attribute stays cheap on SQLite, where that walk costs more than linear time in them.
// Group `members` is not bounded here: members are rows of their own, never in the document.
inline constexpr std::size_t kMaxAttributeValues = 1000;

// At most this many bytes in the stored document (compact JSON, as the store writes it, without
// `members`): the default request body limit, so a resource never outgrows what a client could
// send in one PUT.
inline constexpr std::size_t kMaxDocumentBytes = 1024 * 1024;

// Checks `doc`, a document as Validate is about to return it for `type`, against the two bounds
// above. `before` is nullptr for POST and PUT: then every bound holds strictly. For a PATCH it is
// the stored document the PATCH started from, and a resource stored before the bounds existed
// can still be deactivated or trimmed: an attribute already over the bound there may stay over it
// as long as it gains no values, and a document already over the size bound may stay over it as
// long as it grows by no more than a few hundred bytes (room to set `active` or fix a short
// value). Multi-valued sub-attributes are always bounded strictly.
//
// Errors: 400 invalidValue naming the attribute and the bound, or the size and the bound. Never
// throws. Thread-safe.
scim::Status CheckBounds(const Registry& registry,
                         const ResourceType& type,
                         const nlohmann::json& doc,
                         const nlohmann::json* before);

}  // namespace schemas
