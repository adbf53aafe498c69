#include "scim/service/resource_service.h"

#include "schemas/projection.h"
#include "schemas/validate.h"
#include "scim/patch/patch.h"
#include "scim/service/cursor.h"
#include "scim/service/etag.h"
#include "scim/service/render.h"
#include "scim/service/write_support.h"

namespace scim::service {

namespace {

Clock SystemClockIfUnset(Clock clock) {
    return clock ? std::move(clock) : Clock(&std::chrono::system_clock::now);
}

// A plain Get result in the shape of GetWithGroups, with no groups read.
Result<ResourceWithGroups> WithoutGroups(Result<StoredResource> stored) {
    if (!stored.ok()) {
        return std::move(stored).error();
    }
    return ResourceWithGroups{std::move(*stored), {}};
}

schemas::AttributeSelection SelectionFor(const schemas::Registry& registry,
                                         const schemas::ResourceType& type,
                                         const Query& query) {
    return schemas::AttributeSelection::Parse(registry, type, query.attributes,
                                              query.excluded_attributes);
}

Status RequireObject(const nlohmann::json& body) {
    if (!body.is_object()) {
        return Error::Scim(ScimType::kInvalidSyntax, "the request body must be a JSON object");
    }
    return Ok{};
}

// A PatchOp body holding the first `count` of `ops`.
nlohmann::json PatchPrefix(const std::vector<patch::Operation>& ops, std::size_t count) {
    nlohmann::json operations = nlohmann::json::array();
    for (std::size_t i = 0; i < count; ++i) {
        nlohmann::json op = {{"op", patch::PatchOpName(ops[i].op)}};
        if (ops[i].path) {
            op["path"] = *ops[i].path;
        }
        if (ops[i].value) {
            op["value"] = *ops[i].value;
        }
        operations.push_back(std::move(op));
    }
    return {{"schemas", {schemas::kPatchOpSchema}}, {"Operations", std::move(operations)}};
}

// Schema validation runs on the document the whole PATCH produced, so its errors cannot say
// which operation caused them; RFC 7644 §3.5.2 wants a failed PATCH to identify its operation.
// Only on that error path, this finds an operation after which the document stops validating
// (binary search over prefixes: the stored document validates, the full result does not) and
// names it in the detail, as the PATCH engine does for its own errors.
Error NameFailingOperation(const schemas::Registry& registry,
                           const schemas::ResourceType& type,
                           const nlohmann::json& stored,
                           const std::vector<patch::Operation>& ops,
                           Error error) {
    auto valid = [&](const nlohmann::json& doc) {
        return schemas::Validate(registry, type, doc, schemas::WriteMode::kPatch, &stored).ok();
    };
    // A PatchOp needs at least one operation, so the empty prefix is the stored document.
    auto valid_after = [&](std::size_t count) {
        if (count == 0) {
            return valid(stored);
        }
        // Member filters never change the document, so prefixes are judged without the members.
        const patch::MemberLoader no_members = []() -> Result<std::vector<nlohmann::json>> {
            return std::vector<nlohmann::json>{};
        };
        auto patched = patch::Apply(registry, type, stored, PatchPrefix(ops, count), no_members);
        return patched.ok() && (!patched->changed || valid(patched->doc));
    };
    std::size_t good = 0;
    std::size_t bad = ops.size();
    if (bad == 0 || !valid_after(good) || valid_after(bad)) {
        return error;
    }
    while (bad - good > 1) {
        const std::size_t middle = good + (bad - good) / 2;
        (valid_after(middle) ? good : bad) = middle;
    }
    error.detail = "Operations[" + std::to_string(good) + "]: " + error.detail;
    return error;
}

std::string DisplayNameOf(const nlohmann::json& doc) {
    auto it = doc.find("displayName");
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool IsActive(const nlohmann::json& doc) {
    auto it = doc.find("active");
    return it != doc.end() && it->is_boolean() && it->get<bool>();
}

// Membership changes of a full replacement (PUT). Members left out of the body keep the
// current membership: RFC 7644 §3.5.1 lets the server decide about omitted attributes, and
// clients that rename a group with PUT often omit a member list they never read.
MemberChanges ReplacementMembers(const std::optional<std::vector<MemberRef>>& members) {
    MemberChanges changes;
    if (members) {
        changes.replace_all = true;
        changes.add = *members;
    }
    return changes;
}

// Audit action and details for a PATCH, from what it changed. Details carry ids and counts
// only, never attribute values (they may be personal data).
AuditEvent PatchEvent(const schemas::ResourceType& type,
                      const StoredResource& before,
                      const nlohmann::json& after,
                      const MemberChanges& members) {
    AuditEvent event{AuditAction(type, "patched"), type.name, before.id, nlohmann::json::object()};
    std::vector<std::string> specific;
    if (IsActive(before.doc) && !IsActive(after)) {
        specific.push_back("deactivated");
    }
    if (DisplayNameOf(before.doc) != DisplayNameOf(after) && type.name != schemas::kUserResource) {
        specific.push_back("renamed");
        event.details["renamed"] = true;
    }
    if (members.replace_all) {
        specific.push_back("members_replaced");
        event.details["members_replaced"] = true;
    }
    if (!members.add.empty()) {
        specific.push_back("members_added");
        event.details["members_added"] = members.add.size();
    }
    if (!members.remove.empty()) {
        specific.push_back("members_removed");
        event.details["members_removed"] = members.remove.size();
    }
    // One specific change names the event; several keep the generic action, listed in details.
    if (specific.size() == 1) {
        event.action = AuditAction(type, specific.front());
    } else if (!specific.empty()) {
        event.details["changes"] = specific;
    }
    return event;
}

// The stored members of a group as member values, for member filters of a PATCH that are not
// plain ids (RFC 7644 §3.5.2.2: `members[type eq "Group"]`); read only when such a filter appears.
patch::MemberLoader MemberReader(ResourceStore& store,
                                 const Renderer& renderer,
                                 const schemas::Registry& registry,
                                 std::string org_id,
                                 std::string group_id) {
    return [&store, &renderer, &registry, org = std::move(org_id),
            group = std::move(group_id)]() -> Result<std::vector<nlohmann::json>> {
        auto members = store.Members(org, group);
        if (!members.ok()) {
            return members.error();
        }
        std::vector<nlohmann::json> values;
        for (const MemberRef& member : *members) {
            nlohmann::json value = {{"value", member.id}, {"type", member.type}};
            if (const auto* type = registry.FindResourceType(member.type); type != nullptr) {
                value["$ref"] = renderer.Location(*type, member.id);
            }
            if (!member.display.empty()) {
                value["display"] = member.display;
            }
            values.push_back(std::move(value));
        }
        return values;
    };
}

}  // namespace

Result<StoredResource> ResourceService::PatchMembersOnly(const RequestContext& ctx,
                                                         const schemas::ResourceType& type,
                                                         std::string_view id,
                                                         const nlohmann::json& body,
                                                         const Preconditions& pre) {
    // The group document is not read: members live in their own rows (DESIGN.md §4), and the
    // operations touch nothing else, so applying them to an empty document yields exactly the
    // member changes.
    auto patched = patch::Apply(*registry_, type, nlohmann::json::object(), body);
    if (!patched.ok()) {
        return patched.error();
    }
    std::optional<std::int64_t> expected_version;
    if (pre.if_match || patched->members.empty()) {
        auto current = store_.Get(ctx.principal.org_id, type.name, id);
        if (!current.ok()) {
            return current.error();
        }
        if (pre.if_match && !EtagMatches(*pre.if_match, current->version)) {
            return Error::PreconditionFailed("the resource has changed (ETag mismatch)");
        }
        if (patched->members.empty()) {
            return current;
        }
        // RFC 7644 §3.14: with If-Match the change applies only to the version the client saw.
        expected_version = current->version;
    }
    const StoredResource group{std::string(id), 0, "", "", nlohmann::json::object()};
    const AuditEvent event = PatchEvent(type, group, group.doc, patched->members);
    return store_.UpdateMembers(ctx, id, Now(), expected_version, patched->members, event);
}

ResourceService::ResourceService(std::shared_ptr<const schemas::Registry> registry,
                                 ResourceStore& store,
                                 Config config)
    : registry_(std::move(registry)), store_(store), config_(std::move(config)) {
    config_.clock = SystemClockIfUnset(config_.clock);
    cursor_ =
        std::make_shared<const CursorCodec>(config_.cursor_key, config_.cursor_ttl, config_.clock);
}

Result<const schemas::ResourceType*> ResourceService::FindType(std::string_view type) const {
    const schemas::ResourceType* found = registry_->FindResourceType(type);
    if (found == nullptr) {
        return Error::NotFound("unknown resource type");
    }
    return found;
}

std::string ResourceService::Now() const {
    return FormatTimestamp(config_.clock());
}

Result<Response> ResourceService::Create(const RequestContext& ctx,
                                         std::string_view type_name,
                                         const nlohmann::json& body,
                                         const Query& query) {
    auto type = FindType(type_name);
    if (!type.ok()) {
        return type.error();
    }
    if (auto object = RequireObject(body); !object.ok()) {
        return object.error();
    }
    auto valid = schemas::Validate(*registry_, **type, body, schemas::WriteMode::kCreate);
    if (!valid.ok()) {
        return valid.error();
    }

    StoredResource resource{NewResourceId(), 1, Now(), "", std::move(valid->doc)};
    resource.last_modified = resource.created;
    resource.doc["id"] = resource.id;
    // Member types are left as the client gave them (possibly empty): the store looks every
    // added id up anyway to refuse unknown ones, and takes the type from that row.
    MemberChanges members;
    if (valid->members) {
        members.add = *valid->members;
    }
    AuditEvent event{AuditAction(**type, "created"), (*type)->name, resource.id,
                     nlohmann::json::object()};
    if (!members.add.empty()) {
        event.details["members_added"] = members.add.size();
    }

    auto stored = store_.Create(ctx, (*type)->name, resource, members, event);
    if (!stored.ok()) {
        return stored.error();
    }
    return Renderer(*registry_, store_, config_)
        .SingleCreated(ctx.principal.org_id, **type, *stored,
                       SelectionFor(*registry_, **type, query));
}

Result<Response> ResourceService::Get(const RequestContext& ctx,
                                      std::string_view type_name,
                                      std::string_view id,
                                      const Query& query,
                                      const Preconditions& pre) {
    auto type = FindType(type_name);
    if (!type.ok()) {
        return type.error();
    }
    Renderer renderer(*registry_, store_, config_);
    const schemas::AttributeSelection selection = SelectionFor(*registry_, **type, query);
    // A user's groups come with its row in one read when the response returns them; otherwise
    // (excludedAttributes=groups, attributes=userName, a group) only the row is read.
    const bool with_groups = renderer.ReturnsGroups(**type, selection);
    auto read = with_groups ? store_.GetWithGroups(ctx.principal.org_id, (*type)->name, id)
                            : WithoutGroups(store_.Get(ctx.principal.org_id, (*type)->name, id));
    if (!read.ok()) {
        return read.error();
    }
    const StoredResource* stored = &read->resource;

    // RFC 7644 §3.14 with RFC 7232 §3.2: the client's copy is current, so no body is sent.
    if (pre.if_none_match && EtagMatches(*pre.if_none_match, stored->version)) {
        return Response{304, nullptr, renderer.Location(**type, stored->id),
                        EtagFor(stored->version)};
    }
    return renderer.Single(ctx.principal.org_id, **type, *stored, selection, 200,
                           with_groups ? &read->groups : nullptr);
}

Result<Response> ResourceService::Replace(const RequestContext& ctx,
                                          std::string_view type_name,
                                          std::string_view id,
                                          const nlohmann::json& body,
                                          const Query& query,
                                          const Preconditions& pre) {
    auto type = FindType(type_name);
    if (!type.ok()) {
        return type.error();
    }
    if (auto object = RequireObject(body); !object.ok()) {
        return object.error();
    }

    // RFC 7644 §3.5.1: id and meta in the body are ignored; validation keeps the stored id and
    // refuses changes to immutable attributes.
    auto plan = [&](const StoredResource& current) -> Result<PlannedWrite> {
        auto valid =
            schemas::Validate(*registry_, **type, body, schemas::WriteMode::kReplace, &current.doc);
        if (!valid.ok()) {
            return valid.error();
        }
        PlannedWrite write{current, ReplacementMembers(valid->members), {}, false};
        write.next.doc = std::move(valid->doc);
        write.next.doc["id"] = current.id;
        write.next.last_modified = Now();
        write.event = {AuditAction(**type, "replaced"), (*type)->name, current.id,
                       nlohmann::json::object()};
        if ((*type)->name != schemas::kUserResource &&
            DisplayNameOf(current.doc) != DisplayNameOf(write.next.doc)) {
            write.event.details["renamed"] = true;
        }
        return write;
    };

    auto stored = UpdateWithRetry(store_, ctx, **type, id, pre, config_.max_write_retries, plan);
    if (!stored.ok()) {
        return stored.error();
    }
    return Renderer(*registry_, store_, config_)
        .Single(ctx.principal.org_id, **type, *stored, SelectionFor(*registry_, **type, query),
                200);
}

Result<Response> ResourceService::Patch(const RequestContext& ctx,
                                        std::string_view type_name,
                                        std::string_view id,
                                        const nlohmann::json& body,
                                        const Query& query,
                                        const Preconditions& pre) {
    auto type = FindType(type_name);
    if (!type.ok()) {
        return type.error();
    }
    // Parse once up front so a malformed body fails before any read.
    auto parsed = patch::ParseRequest(body);
    if (!parsed.ok()) {
        return parsed.error();
    }

    // RFC 7644 §3.5.2 allows 200 with the resource or 204. A User gets 200 with the resource
    // (projected by `attributes`): Okta reads it back. A Group gets 204 unless the client asks
    // for attributes: Okta and Entra expect 204 for membership updates, and rendering every
    // member would make adding one member cost as much as the whole group.
    const bool no_content =
        (*type)->name == schemas::kGroupResource && !query.attributes && !query.excluded_attributes;
    Renderer renderer(*registry_, store_, config_);
    auto respond = [&](const StoredResource& stored) -> Result<Response> {
        if (no_content) {
            return Response{204, nullptr, renderer.Location(**type, stored.id),
                            EtagFor(stored.version)};
        }
        return renderer.Single(ctx.principal.org_id, **type, stored,
                               SelectionFor(*registry_, **type, query), 200);
    };
    if (patch::ChangesOnlyMembers(*registry_, **type, *parsed)) {
        auto stored = PatchMembersOnly(ctx, **type, id, body, pre);
        if (!stored.ok()) {
            return stored.error();
        }
        if (no_content) {
            return respond(*stored);
        }
        // The member-only write returns no document; the client asked for attributes, so read
        // the group back (its state now, which includes this change).
        auto current = store_.Get(ctx.principal.org_id, (*type)->name, id);
        if (!current.ok()) {
            return current.error();
        }
        return respond(*current);
    }

    auto plan = [&](const StoredResource& current) -> Result<PlannedWrite> {
        auto patched = patch::Apply(
            *registry_, **type, current.doc, body,
            MemberReader(store_, renderer, *registry_, ctx.principal.org_id, current.id));
        if (!patched.ok()) {
            return patched.error();
        }
        if (!patched->changed) {
            return PlannedWrite{current, {}, {}, true};
        }
        auto valid = schemas::Validate(*registry_, **type, patched->doc, schemas::WriteMode::kPatch,
                                       &current.doc);
        if (!valid.ok()) {
            return NameFailingOperation(*registry_, **type, current.doc, *parsed, valid.error());
        }
        PlannedWrite write{current, std::move(patched->members), {}, false};
        write.next.doc = std::move(valid->doc);
        write.next.doc["id"] = current.id;
        write.next.last_modified = Now();
        write.event = PatchEvent(**type, current, write.next.doc, write.members);
        return write;
    };

    auto stored = UpdateWithRetry(store_, ctx, **type, id, pre, config_.max_write_retries, plan);
    if (!stored.ok()) {
        return stored.error();
    }
    return respond(*stored);
}

Result<Response> ResourceService::Delete(const RequestContext& ctx,
                                         std::string_view type_name,
                                         std::string_view id,
                                         const Preconditions& pre) {
    auto type = FindType(type_name);
    if (!type.ok()) {
        return type.error();
    }

    std::optional<std::int64_t> expected_version;
    if (pre.if_match) {
        auto current = store_.Get(ctx.principal.org_id, (*type)->name, id);
        if (!current.ok()) {
            return current.error();
        }
        if (!EtagMatches(*pre.if_match, current->version)) {
            return Error::PreconditionFailed("the resource has changed (ETag mismatch)");
        }
        // The store re-checks the version, so a write between the read and the delete is a 412
        // rather than a lost update.
        expected_version = current->version;
    }

    AuditEvent event{AuditAction(**type, "deleted"), (*type)->name, std::string(id),
                     nlohmann::json::object()};
    auto deleted = store_.Delete(ctx, (*type)->name, id, expected_version, event);
    if (!deleted.ok()) {
        return deleted.error();
    }
    return Response{204, nullptr, "", ""};
}

}  // namespace scim::service
