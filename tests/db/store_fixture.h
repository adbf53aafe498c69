#pragma once

#include <memory>
#include <string>

#include "db/resource_store.h"
#include "db/timestamp.h"
#include "db_fixture.h"

// Fixtures whose TEST_P bodies live in the *_test.cc files and are instantiated for SQLite
// there and for PostgreSQL in the matching *_pgtest.cc file.
namespace db_test {

class ResourceStoreTest : public DbTest {
protected:
    void SetUp() override {
        DbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        store_ = std::make_unique<db::SqlResourceStore>(db_);
        org_ = "org-" + RandomSuffix();
        other_org_ = "org-" + RandomSuffix();
    }

    scim::RequestContext Ctx(const std::string& org) const {
        scim::RequestContext ctx;
        ctx.principal.org_id = org;
        ctx.principal.credential_id = "tok-1";
        ctx.principal.credential_name = "okta";
        ctx.request_id = "req-" + RandomSuffix();
        ctx.source_addr = "127.0.0.1";
        return ctx;
    }
    scim::RequestContext Ctx() const { return Ctx(org_); }

    static scim::StoredResource User(const std::string& id, const std::string& user_name) {
        scim::StoredResource r;
        r.id = id;
        r.version = 1;
        r.created = db::UtcNowMillis();
        r.last_modified = r.created;
        r.doc = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                 {"id", id},
                 {"userName", user_name},
                 {"active", true}};
        return r;
    }

    static scim::StoredResource Group(const std::string& id, const std::string& name) {
        scim::StoredResource r;
        r.id = id;
        r.version = 1;
        r.created = db::UtcNowMillis();
        r.last_modified = r.created;
        r.doc = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                 {"id", id},
                 {"displayName", name}};
        return r;
    }

    static scim::AuditEvent Event(const std::string& action, const std::string& id) {
        return {action, action.substr(0, action.find('.')), id, nlohmann::json::object()};
    }

    scim::Result<scim::StoredResource> CreateUser(const std::string& id,
                                                  const std::string& user_name,
                                                  const std::string& org = "") {
        const std::string o = org.empty() ? org_ : org;
        return store_->Create(Ctx(o), "User", User(id, user_name), {}, Event("user.created", id));
    }

    scim::Result<scim::StoredResource> CreateGroup(const std::string& id,
                                                   const std::string& name,
                                                   scim::MemberChanges members = {}) {
        return store_->Create(Ctx(), "Group", Group(id, name), members, Event("group.created", id));
    }

    long long AuditCount(const std::string& org) {
        return CountRows("SELECT COUNT(*) FROM audit_events WHERE org_id = '" + org + "'");
    }

    std::unique_ptr<db::SqlResourceStore> store_;
    std::string org_;
    std::string other_org_;
};

class MigrateTest : public DbTest {};

}  // namespace db_test
