#pragma once

// Revocation, expiry and rotation of service access tokens seen from every scimd instance that
// shares one database. Each instance trusts a verified credential for at most 500 ms
// (auth/authenticator.h), and the instance that writes a revocation or rotation evicts it at
// once; so a change is refused at once where it was made and by every other instance within a
// second. These cases measure how long that takes over HTTP.

#include <cstdio>
#include <optional>

#include "auth/time.h"
#include "e2e/harness.h"

namespace scim::e2e {

// The ceiling of the design: a revoked, expired or replaced credential stops working everywhere
// within one second.
constexpr double kMaxPropagationMillis = 1000;
constexpr auto kPollInterval = std::chrono::milliseconds(50);
// How long a poll keeps trying before it gives up, so that a slow refusal is still measured.
constexpr double kGiveUpMillis = 5000;

// One organization with an admin key on a set of scimd instances that share a database.
struct TokenCluster {
    std::string backend;  // "sqlite" or "postgresql", for the report lines
    std::string db_url;
    std::string log;
    std::vector<std::string> bases;  // each instance's /scim/v2 base URL
    std::string org_id;
    std::string admin_key;
};

// The admin API (/api/v1, api/openapi.json) of one instance, called with the admin key.
class AdminClient {
public:
    AdminClient(const std::string& scim_base, std::string admin_key)
        : root_(scim_base.substr(0, scim_base.rfind("/scim/v2")) + "/api/v1"),
          admin_key_(std::move(admin_key)) {
        InitCurlOnce();
    }

    ClientResponse Post(const std::string& path, const Json& body) {
        const std::string text = body.dump();
        return curl_.Send(
            "POST", root_ + path,
            {{"Authorization", "Bearer " + admin_key_}, {"Content-Type", "application/json"}},
            &text);
    }
    ClientResponse Get(const std::string& path) {
        return curl_.Send("GET", root_ + path, {{"Authorization", "Bearer " + admin_key_}});
    }

private:
    std::string root_;
    std::string admin_key_;
    CurlClient curl_;
};

// Creates the organization and its admin key with scimctl (both recorded as test secrets).
inline void SetUpOrg(TokenCluster& cluster, const std::string& org_name) {
    cluster.org_id = Ctl(cluster.db_url, {"org", "create", org_name}, cluster.log);
    ASSERT_FALSE(cluster.org_id.empty());
    cluster.admin_key =
        Ctl(cluster.db_url, {"admin-key", "create", "--org", cluster.org_id, "--name", "e2e-admin"},
            cluster.log);
    ASSERT_FALSE(cluster.admin_key.empty());
}

// The status of one SCIM read with `token` on `base`.
inline long ScimStatus(const std::string& base, const std::string& token) {
    ScimClient client(base, token);
    return client.Get("/Users?count=1").status;
}

// Polls `base` with `token` every 50 ms until it answers 401; returns the milliseconds from
// `since` to that answer, or nullopt when it never came within kGiveUpMillis. `polls` counts
// the requests sent.
inline std::optional<double> MillisUntilRefused(const std::string& base,
                                                const std::string& token,
                                                Clock::time_point since,
                                                int& polls) {
    ScimClient client(base, token);
    polls = 0;
    while (MillisSince(since) < kGiveUpMillis) {
        ++polls;
        const long status = client.Get("/Users?count=1").status;
        if (status == 401) {
            return MillisSince(since);
        }
        EXPECT_EQ(status, 200) << "neither accepted nor refused";
        std::this_thread::sleep_for(kPollInterval);
    }
    return std::nullopt;
}

// The id of the credential named `name`, from the instance's token list.
inline std::string TokenIdByName(AdminClient& admin, const std::string& name) {
    ClientResponse list = admin.Get("/tokens");
    EXPECT_EQ(list.status, 200) << list.body;
    for (const Json& token : ParseBody(list).value("data", Json::array())) {
        if (token.value("name", "") == name) {
            return token.value("id", "");
        }
    }
    ADD_FAILURE() << "no token named " << name << " in " << list.body;
    return "";
}

// The last instance: the one that did not take the admin call (the only one on SQLite).
inline const std::string& OtherInstance(const TokenCluster& cluster) {
    return cluster.bases.back();
}

inline void Report(const TokenCluster& cluster, const std::string& what, double millis, int polls) {
    std::printf("token propagation [%s, %zu instance%s]: %s after %.1f ms (%d poll%s)\n",
                cluster.backend.c_str(), cluster.bases.size(), cluster.bases.size() > 1 ? "s" : "",
                what.c_str(), millis, polls, polls == 1 ? "" : "s");
}

// A token minted with scimctl works on every instance; revoked through the first instance's
// admin API, the last instance refuses it within a second of the revoke answer.
inline void ExpectRevocationReachesEveryInstance(TokenCluster& cluster) {
    const std::string token =
        Ctl(cluster.db_url, {"token", "create", "--org", cluster.org_id, "--name", "revoked-e2e"},
            cluster.log);
    ASSERT_FALSE(token.empty());
    for (const std::string& base : cluster.bases) {
        ASSERT_EQ(ScimStatus(base, token), 200) << base;
    }
    AdminClient admin(cluster.bases.front(), cluster.admin_key);
    const std::string id = TokenIdByName(admin, "revoked-e2e");
    ASSERT_FALSE(id.empty());

    ClientResponse revoked = admin.Post("/tokens/" + id + "/revoke", Json::object());
    const auto answered = Clock::now();
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    int polls = 0;
    std::optional<double> took = MillisUntilRefused(OtherInstance(cluster), token, answered, polls);
    ASSERT_TRUE(took.has_value()) << "still accepted " << kGiveUpMillis << " ms after revoke";
    Report(cluster,
           "revoked via instance 1, refused on instance " + std::to_string(cluster.bases.size()),
           *took, polls);
    EXPECT_LE(*took, kMaxPropagationMillis);
    for (const std::string& base : cluster.bases) {
        EXPECT_EQ(ScimStatus(base, token), 401) << base;
    }
}

// A token created through the API with a short lifetime works on every instance until its
// expires_at and is refused by each of them within a second after it.
inline void ExpectExpiryReachesEveryInstance(TokenCluster& cluster) {
    AdminClient admin(cluster.bases.front(), cluster.admin_key);
    ClientResponse created =
        admin.Post("/tokens", {{"name", "expiring-e2e"}, {"level", "org"}, {"expires_in", "3s"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const Json issued = ParseBody(created);
    const std::string token = issued.value("secret", "");
    http::testing::RecordSecret(token);
    const auto expires_at =
        auth::ParseTimestamp(issued.value("token", Json::object()).value("expires_at", ""));
    ASSERT_TRUE(expires_at.has_value()) << created.body;
    for (const std::string& base : cluster.bases) {
        ASSERT_EQ(ScimStatus(base, token), 200) << base;
    }

    // Poll every instance in turn; record when each first refuses, relative to expires_at.
    std::vector<std::optional<double>> refused(cluster.bases.size());
    std::vector<std::unique_ptr<ScimClient>> clients;
    for (const std::string& base : cluster.bases) {
        clients.push_back(std::make_unique<ScimClient>(base, token));
    }
    auto since_expiry = [&] {
        return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() -
                                                         *expires_at)
            .count();
    };
    int polls = 0;
    while (since_expiry() < kGiveUpMillis) {
        bool all_refused = true;
        for (std::size_t i = 0; i < clients.size(); ++i) {
            if (refused[i].has_value()) {
                continue;
            }
            const long status = clients[i]->Get("/Users?count=1").status;
            const double at = since_expiry();
            ++polls;
            if (status == 401) {
                refused[i] = at;
                EXPECT_GE(at, 0) << "refused before its expires_at on " << cluster.bases[i];
            } else {
                EXPECT_EQ(status, 200);
                EXPECT_LT(at, kMaxPropagationMillis) << "still accepted on " << cluster.bases[i];
                all_refused = false;
            }
        }
        if (all_refused) {
            break;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    for (std::size_t i = 0; i < refused.size(); ++i) {
        ASSERT_TRUE(refused[i].has_value()) << "never refused on " << cluster.bases[i];
        Report(cluster,
               "expired token refused on instance " + std::to_string(i + 1) +
                   ", counted from expires_at,",
               *refused[i], polls);
        EXPECT_LE(*refused[i], kMaxPropagationMillis);
    }
}

// Rotation without a grace period: once the first instance answers, the old secret is refused
// on the last instance at once and the new one works on every instance.
inline void ExpectRotationWithoutGraceReachesEveryInstance(TokenCluster& cluster) {
    const std::string old_secret =
        Ctl(cluster.db_url, {"token", "create", "--org", cluster.org_id, "--name", "rotated-e2e"},
            cluster.log);
    ASSERT_FALSE(old_secret.empty());
    for (const std::string& base : cluster.bases) {
        ASSERT_EQ(ScimStatus(base, old_secret), 200) << base;
    }
    AdminClient admin(cluster.bases.front(), cluster.admin_key);
    const std::string id = TokenIdByName(admin, "rotated-e2e");
    ASSERT_FALSE(id.empty());

    ClientResponse rotated = admin.Post("/tokens/" + id + "/rotate", Json::object());
    const auto answered = Clock::now();
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    const std::string new_secret = ParseBody(rotated).value("secret", "");
    http::testing::RecordSecret(new_secret);
    ASSERT_FALSE(new_secret.empty());
    ASSERT_NE(new_secret, old_secret);
    // The instance that rotated evicted the old secret from its cache.
    EXPECT_EQ(ScimStatus(cluster.bases.front(), old_secret), 401);

    int polls = 0;
    std::optional<double> took =
        MillisUntilRefused(OtherInstance(cluster), old_secret, answered, polls);
    ASSERT_TRUE(took.has_value()) << "old secret still accepted " << kGiveUpMillis << " ms on";
    Report(cluster,
           "rotated via instance 1, old secret refused on instance " +
               std::to_string(cluster.bases.size()),
           *took, polls);
    if (cluster.bases.size() == 1) {
        EXPECT_EQ(polls, 1) << "without a grace period the very first request must be refused";
    }
    EXPECT_LE(*took, kMaxPropagationMillis);
    for (const std::string& base : cluster.bases) {
        EXPECT_EQ(ScimStatus(base, new_secret), 200) << base;
        EXPECT_EQ(ScimStatus(base, old_secret), 401) << base;
    }
}

}  // namespace scim::e2e
