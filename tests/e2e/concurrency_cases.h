#pragma once

#include <set>
#include <string>
#include <vector>

#include "e2e/harness.h"

// Concurrent-write scenarios run against one or more scimd instances sharing one database
// (DESIGN.md §6: no lost update, uniqueness is the database's job). Client i talks to instance
// i % instances. Each scenario prints its outcome counts, so runs can be compared.
namespace scim::e2e {

// What the scenarios need: the servers' base URLs and a token of a fresh organization.
struct Cluster {
    std::vector<std::string> bases;
    std::string token;

    std::string BaseFor(int client) const { return bases[client % bases.size()]; }
};

inline std::string CreateUser(ScimClient& client, const std::string& user_name) {
    ClientResponse created = client.Post("/Users", NewUser(user_name));
    EXPECT_EQ(created.status, 201) << created.body;
    return ParseBody(created).value("id", "");
}

// `clients` PATCHes, each adding one distinct user to the same group: every one must succeed
// and the group must end with every member (none lost to a concurrent re-read and write).
inline void ExpectConcurrentMemberAddsAllLand(const Cluster& cluster, int clients) {
    ScimClient setup(cluster.bases[0], cluster.token);
    ClientResponse group =
        setup.Post("/Groups", {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                               {"displayName", "concurrent-members"}});
    ASSERT_EQ(group.status, 201) << group.body;
    const std::string group_id = ParseBody(group)["id"];
    std::vector<std::string> users;
    for (int i = 0; i < clients; ++i) {
        users.push_back(CreateUser(setup, "member-" + std::to_string(i)));
        ASSERT_FALSE(users.back().empty());
    }

    StatusTally tally;
    RunTogether(clients, [&](int i) {
        ScimClient client(cluster.BaseFor(i), cluster.token);
        Json add =
            PatchOps({{{"op", "add"}, {"path", "members"}, {"value", {{{"value", users[i]}}}}}});
        tally.Add(client.Patch("/Groups/" + group_id + "?excludedAttributes=members", add));
    });
    std::printf("member adds (%zu instance(s), %d clients): %s\n", cluster.bases.size(), clients,
                tally.Summary().c_str());
    // RFC 7644 §3.5.2: 200 with the group or 204 without a body are both success.
    EXPECT_EQ(tally.Count(200) + tally.Count(204), clients) << tally.Details();

    ClientResponse final_group = setup.Get("/Groups/" + group_id);
    ASSERT_EQ(final_group.status, 200) << final_group.body;
    std::set<std::string> found;
    for (const auto& member : ParseBody(final_group).value("members", Json::array())) {
        found.insert(member.value("value", ""));
    }
    EXPECT_EQ(found, std::set<std::string>(users.begin(), users.end()));
}

// Concurrent PATCHes of one user, each changing something different: half replace distinct
// single-valued attributes, half add a distinct email. Every change must be in the final user.
inline void ExpectConcurrentAttributePatchesAllApply(const Cluster& cluster) {
    const std::vector<std::string> paths = {"displayName",    "nickName",       "title",
                                            "userType",       "locale",         "preferredLanguage",
                                            "name.givenName", "name.familyName"};
    const int emails = static_cast<int>(paths.size());
    const int clients = static_cast<int>(paths.size()) + emails;
    ScimClient setup(cluster.bases[0], cluster.token);
    const std::string id = CreateUser(setup, "many-writers");
    ASSERT_FALSE(id.empty());

    auto value_for = [](const std::string& path) {
        return path == "locale"              ? std::string("en-US")
               : path == "preferredLanguage" ? std::string("en")
                                             : "v-" + path;
    };
    auto email_for = [](int i) { return "writer" + std::to_string(i) + "@example.com"; };

    StatusTally tally;
    RunTogether(clients, [&](int i) {
        ScimClient client(cluster.BaseFor(i), cluster.token);
        Json op;
        if (i < static_cast<int>(paths.size())) {
            op = {{"op", "replace"}, {"path", paths[i]}, {"value", value_for(paths[i])}};
        } else {
            op = {{"op", "add"},
                  {"path", "emails"},
                  {"value", {{{"value", email_for(i)}, {"type", "other"}}}}};
        }
        tally.Add(client.Patch("/Users/" + id, PatchOps({op})));
    });
    std::printf("attribute patches (%zu instance(s), %d clients): %s\n", cluster.bases.size(),
                clients, tally.Summary().c_str());
    EXPECT_EQ(tally.Count(200), clients) << tally.Details();

    ClientResponse final_user = setup.Get("/Users/" + id);
    ASSERT_EQ(final_user.status, 200) << final_user.body;
    Json user = ParseBody(final_user);
    for (const std::string& path : paths) {
        Json::json_pointer pointer("/" +
                                   (path.rfind("name.", 0) == 0 ? "name/" + path.substr(5) : path));
        ASSERT_TRUE(user.contains(pointer)) << path << " was lost: " << user.dump();
        EXPECT_EQ(user[pointer], value_for(path)) << path;
    }
    std::set<std::string> found;
    for (const auto& email : user.value("emails", Json::array())) {
        found.insert(email.value("value", ""));
    }
    for (int i = static_cast<int>(paths.size()); i < clients; ++i) {
        EXPECT_TRUE(found.count(email_for(i))) << email_for(i) << " was lost: " << user.dump();
    }
    EXPECT_EQ(user["meta"]["version"], "W/\"" + std::to_string(clients + 1) + "\"")
        << "every PATCH should be one version";
}

// `clients` POSTs of one userName at once: the database's unique index decides, so exactly one
// 201 and the rest 409 uniqueness (RFC 7644 §3.3), never a 5xx.
inline void ExpectConcurrentDuplicateCreatesGiveOneWinner(const Cluster& cluster, int clients) {
    StatusTally tally;
    std::atomic<int> uniqueness{0};
    RunTogether(clients, [&](int i) {
        ScimClient client(cluster.BaseFor(i), cluster.token);
        ClientResponse response = client.Post("/Users", NewUser("Same.Name@example.com"));
        if (IsScimError(response, 409) &&
            ParseBody(response).value("scimType", "") == "uniqueness") {
            ++uniqueness;
        }
        tally.Add(response);
    });
    std::printf("duplicate creates (%zu instance(s), %d clients): %s\n", cluster.bases.size(),
                clients, tally.Summary().c_str());
    EXPECT_EQ(tally.Count(201), 1) << tally.Details();
    EXPECT_EQ(uniqueness.load(), clients - 1) << tally.Details();

    ScimClient reader(cluster.bases[0], cluster.token);
    ClientResponse list = reader.Get("/Users?filter=userName%20eq%20%22same.name@example.com%22");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(ParseBody(list).value("totalResults", -1), 1);
}

}  // namespace scim::e2e
