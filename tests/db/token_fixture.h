#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "db/audit_store.h"
#include "db/token_store.h"
#include "db_fixture.h"

// A migrated database (SQLite or PostgreSQL, see db_fixture.h) with a TokenStore and an
// AuditStore on a clock the test moves by hand.
namespace db_test {

class ManualClock final : public auth::Clock {
public:
    auth::TimePoint Now() const override { return now_; }
    void Advance(std::chrono::seconds d) { now_ += d; }

private:
    // A fixed, recent instant with a millisecond part, so formatting and parsing are exercised.
    auth::TimePoint now_ = auth::TimePoint(std::chrono::milliseconds(1796400000123));
};

class TokenStoreTest : public DbTest {
protected:
    void SetUp() override {
        DbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        tokens_ = std::make_unique<db::TokenStore>(db_, auth::Pepper(), clock_);
        audit_ = std::make_unique<db::AuditStore>(db_);
        cli_.principal.kind = scim::CredentialKind::kCli;
        cli_.principal.credential_name = "tester";
        cli_.request_id = "req-1";
    }

    void TearDown() override {
        tokens_.reset();
        audit_.reset();
        DbTest::TearDown();
    }

    std::string NewOrg(const std::string& name = "Acme") {
        auto org = tokens_->CreateOrg(name, cli_);
        EXPECT_TRUE(org.ok()) << org.error().internal;
        return org.ok() ? org->org_id : std::string();
    }

    db::IssuedToken NewToken(const std::string& org,
                             auth::TokenKind kind = auth::TokenKind::kOrg,
                             std::optional<std::string> workspace = std::nullopt) {
        db::TokenSpec spec;
        spec.org_id = org;
        spec.kind = kind;
        spec.workspace_id = std::move(workspace);
        spec.name = "okta";
        auto issued = tokens_->CreateToken(spec, cli_);
        EXPECT_TRUE(issued.ok()) << issued.error().detail << issued.error().internal;
        return issued.ok() ? std::move(*issued) : db::IssuedToken{};
    }

    ManualClock clock_;
    std::unique_ptr<db::TokenStore> tokens_;
    std::unique_ptr<db::AuditStore> audit_;
    scim::RequestContext cli_;
};

class AuditStoreTest : public TokenStoreTest {};

// A real store behind an Authenticator (token_authenticator_test.cc).
class TokenAuthenticatorTest : public TokenStoreTest {};

}  // namespace db_test
