#include "scim/service/write_support.h"

#include "scim/casefold.h"
#include "scim/service/etag.h"

namespace scim::service {

Result<StoredResource> UpdateWithRetry(ResourceStore& store,
                                       const RequestContext& ctx,
                                       const schemas::ResourceType& type,
                                       std::string_view id,
                                       const Preconditions& pre,
                                       int max_retries,
                                       const PlanWrite& plan) {
    for (int attempt = 0; attempt <= max_retries; ++attempt) {
        auto current = store.Get(ctx.principal.org_id, type.name, id);
        if (!current.ok()) {
            return current.error();
        }
        if (pre.if_match && !EtagMatches(*pre.if_match, current->version)) {
            return Error::PreconditionFailed("the resource has changed (ETag mismatch)");
        }

        auto planned = plan(*current);
        if (!planned.ok()) {
            return planned.error();
        }
        if (planned->no_op) {
            return *current;
        }

        auto updated = store.Update(ctx, type.name, planned->next, current->version,
                                    planned->members, planned->event);
        if (updated.ok() || updated.error().status != 412 || pre.if_match) {
            return updated;
        }
    }
    Error error = Error::Conflict("the resource is being changed concurrently; retry");
    error.internal = "update retries exhausted for " + type.name + " " + std::string(id);
    return error;
}

std::string AuditAction(const schemas::ResourceType& type, std::string_view verb) {
    return FoldCase(type.name) + "." + std::string(verb);
}

}  // namespace scim::service
