#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"
#include "scim/result.h"
#include "scim/store.h"

// Validation of resource writes against the schemas (RFC 7643 §2, §7): turns what a client sent
// into the canonical document the store keeps.
namespace schemas {

// Key of the stored document that holds the Argon2id hashes of writeOnly attributes (password),
// as an object from canonical attribute name to hash. It is not a schema attribute, so
// projection never returns it, and Validate never accepts it from input.
inline constexpr std::string_view kSecretsKey = "x-scimd-secrets";

// How the input came to be; it decides which rules apply.
enum class WriteMode {
    kCreate,   // POST: no existing document
    kReplace,  // PUT: `existing` is the stored document being replaced
    kPatch,    // the document a PATCH produced; `existing` is the document before the PATCH
};

struct ValidatedResource {
    // The canonical document: `schemas` (core URN first, then each extension that has data),
    // attribute names and URN keys in canonical spelling, values normalised, unknown and
    // readOnly input dropped, readOnly values (such as `id`) carried over from `existing`,
    // writeOnly values hashed under kSecretsKey. Never holds `meta`, the derived `groups` of a
    // user, or the `members` of a group.
    nlohmann::json doc;

    // Group members, only for resource types whose core schema defines `members`: nullopt when
    // the input had no `members` attribute (or it was null), else every member in input order.
    // `id` is the member's `value`; `type` is "User" or "Group" when the client gave one (any
    // case), else empty for the caller to work out; `display` is always empty (it is readOnly
    // and derived on read). Members are returned here and removed from `doc` because they are
    // stored as rows, not in the document (DESIGN.md §4).
    std::optional<std::vector<scim::MemberRef>> members;
};

// Validates `input` for a write to a resource of `type`. `existing` is the stored document for
// kReplace and kPatch (required there), ignored for kCreate.
//
// Decisions (RFC 7643 §2 and RFC 7644 §3.3, §3.5.1 leave them to the server):
// - Unknown attributes, unknown sub-attributes and unknown extension keys are dropped, not
//   rejected; an unknown URN listed in `schemas` is a 400 invalidValue.
// - A single value given for a multi-valued attribute is wrapped into a one-element array.
// - null and empty arrays mean "unassigned" and are dropped (so `"$ref": null` disappears).
// - A complex value given as a string becomes {"value": string} when the attribute has a
//   `value` sub-attribute (Entra sends `manager` as a bare id).
// - Names may also be URN-qualified paths at the top level (`urn:...:enterprise:2.0:User:
//   department`); they are moved under their extension key.
// - More than one `primary: true` in one multi-valued attribute is a 400 invalidValue for
//   kCreate/kReplace; for kPatch the newly set primary wins (RFC 7644 §3.5.2).
// - writeOnly values absent from a kReplace or kPatch input keep their stored hash: clients
//   never see them, so a PUT cannot repeat them.
// - Immutable values already set must be repeated unchanged or left out (then kept).
// - The result must keep the bounds of schemas/bounds.h (values per multi-valued attribute,
//   stored size), checked by CheckBounds with `existing` as the starting point for kPatch.
//
// Errors: 400 invalidValue, invalidSyntax or mutability with a detail naming the attribute (and
// never the value of a writeOnly attribute). Never throws. Thread-safe.
scim::Result<ValidatedResource> Validate(const Registry& registry,
                                         const ResourceType& type,
                                         const nlohmann::json& input,
                                         WriteMode mode,
                                         const nlohmann::json* existing = nullptr);

// True when `plain` matches the hash stored under kSecretsKey for `attribute` (e.g.
// "password") in a document produced by Validate; false when there is no such hash.
bool VerifySecret(const nlohmann::json& doc, std::string_view attribute, std::string_view plain);

// Normalises an RFC 3339 date-time to UTC `YYYY-MM-DDTHH:MM:SSZ`, or `YYYY-MM-DDTHH:MM:SS.sssZ`
// when it has a non-zero fraction (truncated to milliseconds). nullopt when `text` is not a
// valid RFC 3339 date-time (RFC 7643 §2.3.5).
std::optional<std::string> NormalizeDateTime(std::string_view text);

}  // namespace schemas
