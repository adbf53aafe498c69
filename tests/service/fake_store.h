#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "schemas/schema.h"
#include "scim/casefold.h"
#include "scim/store.h"

namespace scim::service::testing {

// An in-memory ResourceStore with the semantics the contract in scim/store.h asks for: org
// scoping, versions checked on update and delete, memberships kept apart from documents, and
// every audit event recorded. Good enough for service tests; the real stores have their own.
class FakeStore : public ResourceStore {
public:
    Result<StoredResource> Create(const RequestContext& ctx,
                                  std::string_view type,
                                  const StoredResource& resource,
                                  const MemberChanges& members,
                                  const AuditEvent& event) override {
        std::lock_guard lock(mutex_);
        const Key key{ctx.principal.org_id, resource.id};
        if (rows_.count(key) != 0) {
            return Error::Conflict("duplicate id");
        }
        if (type == "User" && resource.doc.contains("userName")) {
            for (const auto& [k, row] : rows_) {
                if (k.first == key.first && row.type == "User" &&
                    FoldCase(row.resource.doc.value("userName", "")) ==
                        FoldCase(resource.doc["userName"].get<std::string>())) {
                    return Error::Scim(ScimType::kUniqueness, "userName is already taken");
                }
            }
        }
        auto status = CheckMembers(key.first, members);
        if (!status.ok()) {
            return status.error();
        }
        rows_[key] = Row{std::string(type), resource};
        ApplyMembers(key.first, resource.id, members);
        events_.push_back(event);
        return resource;
    }

    Result<StoredResource> Get(std::string_view org_id,
                               std::string_view type,
                               std::string_view id) override {
        std::lock_guard lock(mutex_);
        auto it = rows_.find(Key{org_id, id});
        if (it == rows_.end() || it->second.type != type) {
            return Error::NotFound("resource not found");
        }
        return it->second.resource;
    }

    Result<StoredResource> Update(const RequestContext& ctx,
                                  std::string_view type,
                                  const StoredResource& resource,
                                  std::int64_t expected_version,
                                  const MemberChanges& members,
                                  const AuditEvent& event) override {
        std::lock_guard lock(mutex_);
        const Key key{ctx.principal.org_id, resource.id};
        auto it = rows_.find(key);
        if (it == rows_.end() || it->second.type != type) {
            return Error::NotFound("resource not found");
        }
        if (it->second.resource.version != expected_version) {
            return Error::PreconditionFailed("version mismatch");
        }
        auto status = CheckMembers(key.first, members);
        if (!status.ok()) {
            return status.error();
        }
        StoredResource updated = resource;
        updated.created = it->second.resource.created;
        updated.version = expected_version + 1;
        it->second.resource = updated;
        ApplyMembers(key.first, resource.id, members);
        events_.push_back(event);
        return updated;
    }

    Result<StoredResource> UpdateMembers(const RequestContext& ctx,
                                         std::string_view group_id,
                                         std::string_view last_modified,
                                         std::optional<std::int64_t> expected_version,
                                         const MemberChanges& members,
                                         const AuditEvent& event) override {
        std::lock_guard lock(mutex_);
        const Key key{ctx.principal.org_id, group_id};
        auto it = rows_.find(key);
        if (it == rows_.end() || it->second.type != "Group") {
            return Error::NotFound("resource not found");
        }
        if (expected_version && *expected_version != it->second.resource.version) {
            return Error::PreconditionFailed("version mismatch");
        }
        auto status = CheckMembers(key.first, members);
        if (!status.ok()) {
            return status.error();
        }
        StoredResource& stored = it->second.resource;
        stored.version += 1;
        stored.last_modified = std::max(stored.last_modified, std::string(last_modified));
        ApplyMembers(key.first, stored.id, members);
        events_.push_back(event);
        StoredResource out = stored;
        out.doc = nullptr;
        return out;
    }

    Status Delete(const RequestContext& ctx,
                  std::string_view type,
                  std::string_view id,
                  std::optional<std::int64_t> expected_version,
                  const AuditEvent& event) override {
        std::lock_guard lock(mutex_);
        auto it = rows_.find(Key{ctx.principal.org_id, id});
        if (it == rows_.end() || it->second.type != type) {
            return Error::NotFound("resource not found");
        }
        if (expected_version && *expected_version != it->second.resource.version) {
            return Error::PreconditionFailed("version mismatch");
        }
        rows_.erase(it);
        members_.erase(Key{ctx.principal.org_id, id});
        for (auto& [k, list] : members_) {
            std::erase_if(list, [&](const MemberRef& m) { return m.id == id; });
        }
        events_.push_back(event);
        return Ok{};
    }

    Result<ListPage> List(std::string_view org_id,
                          const schemas::ResourceType& type,
                          const ListQuery& query) override {
        std::lock_guard lock(mutex_);
        ++list_calls_;
        std::vector<const StoredResource*> matches;
        for (const auto& [k, row] : rows_) {
            if (k.first == org_id && row.type == type.name &&
                (query.filter == nullptr || filter_(*query.filter, row.resource))) {
                matches.push_back(&row.resource);
            }
        }
        auto less = [&](const Keyset& a, const Keyset& b) {
            if (a.sort_value != b.sort_value) {
                return query.descending ? b.sort_value < a.sort_value : a.sort_value < b.sort_value;
            }
            return query.descending ? b.id < a.id : a.id < b.id;
        };
        auto key_of = [&](const StoredResource& r) {
            return Keyset{query.sort_by ? SortValue(*query.sort_by, r) : nlohmann::json(), r.id};
        };
        std::sort(matches.begin(), matches.end(),
                  [&](auto* a, auto* b) { return less(key_of(*a), key_of(*b)); });
        ListPage page;
        page.total = static_cast<std::int64_t>(matches.size());
        total_counts_ += query.with_total ? 1 : 0;
        if (query.after) {
            // Keyset values arrive unfolded; compare them the way rows are ordered.
            Keyset after = *query.after;
            if (query.sort_by && after.sort_value.is_string() &&
                !query.sort_by->leaf().case_exact) {
                after.sort_value = FoldCase(after.sort_value.get<std::string>());
            }
            std::erase_if(matches, [&](auto* r) { return !less(after, key_of(*r)); });
        }
        const auto skip = static_cast<std::size_t>(query.after ? 0 : query.start_index - 1);
        for (std::size_t i = skip;
             i < matches.size() && static_cast<std::int64_t>(page.resources.size()) < query.count;
             ++i) {
            page.resources.push_back(*matches[i]);
        }
        if (!query.with_total) {
            page.total = static_cast<std::int64_t>(page.resources.size());
        }
        return page;
    }

    Result<std::vector<MemberRef>> Members(std::string_view org_id,
                                           std::string_view group_id) override {
        std::lock_guard lock(mutex_);
        std::vector<MemberRef> out;
        for (MemberRef m : members_[Key{org_id, group_id}]) {
            m.display = DisplayOf(Key{org_id, m.id});
            out.push_back(m);
        }
        return out;
    }

    Result<std::vector<MemberRef>> GroupsOf(std::string_view org_id,
                                            std::string_view member_id) override {
        std::lock_guard lock(mutex_);
        std::vector<MemberRef> out;
        for (const auto& [k, list] : members_) {
            if (k.first != org_id) {
                continue;
            }
            for (const MemberRef& m : list) {
                if (m.id == member_id) {
                    out.push_back(MemberRef{k.second, "Group", DisplayOf(k)});
                }
            }
        }
        return out;
    }

    Result<MembershipMap> MembersOfMany(std::string_view org_id,
                                        const std::vector<std::string>& group_ids) override {
        MembershipMap out;
        for (const std::string& id : group_ids) {
            out[id] = *Members(org_id, id);
        }
        return out;
    }

    Result<MembershipMap> GroupsOfMany(std::string_view org_id,
                                       const std::vector<std::string>& member_ids) override {
        MembershipMap out;
        for (const std::string& id : member_ids) {
            out[id] = *GroupsOf(org_id, id);
        }
        return out;
    }

    bool Ping() override { return true; }

    // Every audit event written, in order.
    std::vector<AuditEvent> events() {
        std::lock_guard lock(mutex_);
        return events_;
    }
    int list_calls() const { return list_calls_; }
    // List calls that asked for totalResults (what a COUNT costs in the real stores).
    int total_counts() const { return total_counts_; }
    // The member ids of a group, straight from the membership rows.
    std::vector<std::string> MemberIds(const std::string& org_id, const std::string& group_id) {
        std::lock_guard lock(mutex_);
        std::vector<std::string> ids;
        for (const MemberRef& m : members_[Key{org_id, group_id}]) {
            ids.push_back(m.id);
        }
        return ids;
    }
    // How List decides whether a stored resource matches a filter; none installed means every
    // filter matches nothing (tests that filter install the real evaluator).
    void set_filter(std::function<bool(const filter::Node&, const StoredResource&)> filter) {
        filter_ = std::move(filter);
    }

private:
    struct Row {
        std::string type;
        StoredResource resource;
    };
    using Key = std::pair<std::string, std::string>;  // org_id, id

    Status CheckMembers(const std::string& org_id, const MemberChanges& changes) {
        for (const MemberRef& m : changes.add) {
            if (rows_.count(Key{org_id, m.id}) == 0) {
                return Error::Scim(ScimType::kInvalidValue, "unknown member " + m.id);
            }
        }
        return Ok{};
    }

    void ApplyMembers(const std::string& org_id,
                      const std::string& group_id,
                      const MemberChanges& changes) {
        auto& list = members_[Key{org_id, group_id}];
        if (changes.replace_all) {
            list.clear();
        }
        for (const std::string& id : changes.remove) {
            std::erase_if(list, [&](const MemberRef& m) { return m.id == id; });
        }
        for (const MemberRef& m : changes.add) {
            if (std::none_of(list.begin(), list.end(),
                             [&](const MemberRef& e) { return e.id == m.id; })) {
                MemberRef added = m;
                added.type = rows_[Key{org_id, m.id}].type;
                added.display.clear();
                list.push_back(added);
            }
        }
    }

    std::string DisplayOf(const Key& key) {
        auto it = rows_.find(key);
        if (it == rows_.end()) {
            return "";
        }
        const auto& doc = it->second.resource.doc;
        return it->second.type == "User" ? doc.value("userName", "") : doc.value("displayName", "");
    }

    static nlohmann::json SortValue(const schemas::ResolvedPath& path, const StoredResource& r) {
        if (path.attribute->name == "meta" && path.sub != nullptr) {
            return path.sub->name == "created" ? nlohmann::json(r.created)
                                               : nlohmann::json(r.last_modified);
        }
        const nlohmann::json& container =
            path.is_extension ? r.doc.value(path.schema->id, nlohmann::json::object()) : r.doc;
        nlohmann::json value = container.value(path.attribute->name, nlohmann::json());
        if (path.sub != nullptr) {
            value = value.is_object() ? value.value(path.sub->name, nlohmann::json())
                                      : nlohmann::json();
        }
        if (value.is_string() && !path.leaf().case_exact) {
            value = FoldCase(value.get<std::string>());
        }
        return value;
    }

    std::mutex mutex_;
    std::map<Key, Row> rows_;
    std::map<Key, std::vector<MemberRef>> members_;  // (org_id, group_id) -> members
    std::vector<AuditEvent> events_;
    std::function<bool(const filter::Node&, const StoredResource&)> filter_ =
        [](const filter::Node&, const StoredResource&) { return false; };
    int list_calls_ = 0;
    int total_counts_ = 0;
};

// A GoogleMock store that forwards to a FakeStore unless a test sets expectations, so a test
// can count calls (e.g. Members never called) or inject one failure before the real behaviour.
class MockStore : public ResourceStore {
public:
    MockStore() {
        using ::testing::_;
        using ::testing::Invoke;
        ON_CALL(*this, Create).WillByDefault(Invoke(&fake_, &FakeStore::Create));
        ON_CALL(*this, Get).WillByDefault(Invoke(&fake_, &FakeStore::Get));
        ON_CALL(*this, Update).WillByDefault(Invoke(&fake_, &FakeStore::Update));
        ON_CALL(*this, UpdateMembers).WillByDefault(Invoke(&fake_, &FakeStore::UpdateMembers));
        ON_CALL(*this, Delete).WillByDefault(Invoke(&fake_, &FakeStore::Delete));
        ON_CALL(*this, List).WillByDefault(Invoke(&fake_, &FakeStore::List));
        ON_CALL(*this, Members).WillByDefault(Invoke(&fake_, &FakeStore::Members));
        ON_CALL(*this, GroupsOf).WillByDefault(Invoke(&fake_, &FakeStore::GroupsOf));
        ON_CALL(*this, MembersOfMany).WillByDefault(Invoke(&fake_, &FakeStore::MembersOfMany));
        ON_CALL(*this, GroupsOfMany).WillByDefault(Invoke(&fake_, &FakeStore::GroupsOfMany));
        ON_CALL(*this, Ping).WillByDefault(Invoke(&fake_, &FakeStore::Ping));
        // The interface's own two-call version, so Get and GroupsOf stay countable beneath it.
        ON_CALL(*this, GetWithGroups)
            .WillByDefault(
                [this](std::string_view org, std::string_view type, std::string_view id) {
                    return ResourceStore::GetWithGroups(org, type, id);
                });
    }

    MOCK_METHOD(Result<StoredResource>,
                Create,
                (const RequestContext&,
                 std::string_view,
                 const StoredResource&,
                 const MemberChanges&,
                 const AuditEvent&),
                (override));
    MOCK_METHOD(Result<StoredResource>,
                Get,
                (std::string_view, std::string_view, std::string_view),
                (override));
    MOCK_METHOD(Result<ResourceWithGroups>,
                GetWithGroups,
                (std::string_view, std::string_view, std::string_view),
                (override));
    MOCK_METHOD(Result<StoredResource>,
                Update,
                (const RequestContext&,
                 std::string_view,
                 const StoredResource&,
                 std::int64_t,
                 const MemberChanges&,
                 const AuditEvent&),
                (override));
    MOCK_METHOD(Result<StoredResource>,
                UpdateMembers,
                (const RequestContext&,
                 std::string_view,
                 std::string_view,
                 std::optional<std::int64_t>,
                 const MemberChanges&,
                 const AuditEvent&),
                (override));
    MOCK_METHOD(Status,
                Delete,
                (const RequestContext&,
                 std::string_view,
                 std::string_view,
                 std::optional<std::int64_t>,
                 const AuditEvent&),
                (override));
    MOCK_METHOD(Result<ListPage>,
                List,
                (std::string_view, const schemas::ResourceType&, const ListQuery&),
                (override));
    MOCK_METHOD(Result<std::vector<MemberRef>>,
                Members,
                (std::string_view, std::string_view),
                (override));
    MOCK_METHOD(Result<std::vector<MemberRef>>,
                GroupsOf,
                (std::string_view, std::string_view),
                (override));
    MOCK_METHOD(Result<MembershipMap>,
                MembersOfMany,
                (std::string_view, const std::vector<std::string>&),
                (override));
    MOCK_METHOD(Result<MembershipMap>,
                GroupsOfMany,
                (std::string_view, const std::vector<std::string>&),
                (override));
    MOCK_METHOD(bool, Ping, (), (override));

    FakeStore& fake() { return fake_; }

private:
    FakeStore fake_;
};

}  // namespace scim::service::testing
