#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/schema.h"
#include "scim/principal.h"
#include "scim/result.h"
#include "scim/service/resource_service.h"
#include "scim/store.h"

// Pieces shared by the write operations of ResourceService.
namespace scim::service {

// What one attempt of an update wants written. `no_op` skips the write and returns the current
// resource unchanged (a PATCH that changes nothing does not bump the version).
struct PlannedWrite {
    StoredResource next;
    MemberChanges members;
    AuditEvent event;
    bool no_op = false;
};

using PlanWrite = std::function<Result<PlannedWrite>(const StoredResource& current)>;

// Reads the resource, checks If-Match, plans the write from what was read and stores it with the
// version read as the expected one. Without If-Match a version conflict (412 from the store: a
// concurrent writer got there first) starts over from a fresh read after a short random pause
// (at most 50 ms), up to `max_retries` times, so no update is lost and none is applied to a stale
// document (DESIGN.md §6); when the retries run out the result is 409. With If-Match a mismatch is
// 412 (RFC 7644 §3.14).
Result<StoredResource> UpdateWithRetry(ResourceStore& store,
                                       const RequestContext& ctx,
                                       const schemas::ResourceType& type,
                                       std::string_view id,
                                       const Preconditions& pre,
                                       int max_retries,
                                       const PlanWrite& plan);

// The audit action for `verb` on `type`, e.g. "user.created".
std::string AuditAction(const schemas::ResourceType& type, std::string_view verb);

}  // namespace scim::service
