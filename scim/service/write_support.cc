#include "scim/service/write_support.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "scim/casefold.h"
#include "scim/service/etag.h"

namespace scim::service {

namespace {

// The longest pause between two attempts of one update.
constexpr int kMaxBackoffMicros = 50'000;

// Waits a random time up to a cap that doubles with every attempt ("full jitter"). Writers that
// collided on one resource (a group many clients add members to at once) then spread out instead
// of re-reading and colliding again in lockstep; without the pause a burst of a few dozen valid
// PATCHes runs out of attempts and gets 409s.
void BackOff(int attempt) {
    thread_local std::minstd_rand random(std::random_device{}());
    const int cap = std::min(kMaxBackoffMicros, 500 << std::min(attempt, 8));
    std::uniform_int_distribution<int> pause(0, cap);
    std::this_thread::sleep_for(std::chrono::microseconds(pause(random)));
}

}  // namespace

Result<StoredResource> UpdateWithRetry(ResourceStore& store,
                                       const RequestContext& ctx,
                                       const schemas::ResourceType& type,
                                       std::string_view id,
                                       const Preconditions& pre,
                                       int max_retries,
                                       const PlanWrite& plan) {
    for (int attempt = 0; attempt <= max_retries; ++attempt) {
        if (attempt > 0) {
            BackOff(attempt);
        }
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
