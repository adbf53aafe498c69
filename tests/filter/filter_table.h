#pragma once

// The shared filter table: a fixed fixture of users and groups (filter_fixture.json) and cases of
// filter text with the ids they must match (filter_cases.json). The in-memory evaluator and both
// SQL backends run the same table, so the three agree.

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scim::filter::testing {

struct FilterCase {
    std::string type;  // "User" or "Group"
    std::string filter;
    std::vector<std::string> ids;  // expected matches, when `error` is empty
    std::string error;             // expected scimType, e.g. "invalidFilter"
    // Set when SQLite is known to answer differently, with the issue and the reason.
    std::string sqlite_gap;
};

inline std::string SourceDir() {
    if (const char* dir = std::getenv("SCIMD_SOURCE_DIR"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    std::string here = __FILE__;  // <source>/tests/filter/filter_table.h
    for (int i = 0; i < 3; ++i) {
        here = here.substr(0, here.find_last_of('/'));
    }
    return here;
}

inline nlohmann::json LoadTestJson(const std::string& relative) {
    std::ifstream in(SourceDir() + "/" + relative);
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

inline nlohmann::json LoadFilterFixture() {
    return LoadTestJson("tests/filter/filter_fixture.json");
}

inline std::vector<FilterCase> LoadFilterCases() {
    std::vector<FilterCase> cases;
    const nlohmann::json data = LoadTestJson("tests/filter/filter_cases.json");
    if (!data.is_object() || !data.contains("cases")) {
        return cases;
    }
    for (const auto& c : data["cases"]) {
        FilterCase fc;
        fc.type = c.value("type", "User");
        fc.filter = c.value("filter", "");
        fc.error = c.value("error", "");
        fc.sqlite_gap = c.value("sqlite_gap", "");
        if (c.contains("ids")) {
            fc.ids = c["ids"].get<std::vector<std::string>>();
        }
        cases.push_back(std::move(fc));
    }
    return cases;
}

inline const char* FixtureKey(const std::string& type) {
    return type == "Group" ? "groups" : "users";
}

// Resources of `type` as the server renders them: the stored document plus `meta` and the
// derived `groups` (users) or `members` (groups) built from the fixture's membership lists.
inline std::map<std::string, nlohmann::json> RenderedFixture(const nlohmann::json& fixture,
                                                             const std::string& type) {
    std::map<std::string, std::string> group_names;
    for (const auto& group : fixture["groups"]) {
        group_names[group["id"]] = group["doc"]["displayName"];
    }
    std::map<std::string, nlohmann::json> out;
    for (const auto& row : fixture[FixtureKey(type)]) {
        nlohmann::json resource = row["doc"];
        resource["meta"] = {{"resourceType", type},
                            {"created", row["created"]},
                            {"lastModified", row["lastModified"]}};
        if (type == "Group") {
            resource["members"] = row["members"];
        }
        out[row["id"]] = std::move(resource);
    }
    if (type == "User") {
        for (const auto& group : fixture["groups"]) {
            for (const auto& member : group["members"]) {
                auto it = out.find(member["value"]);
                if (it != out.end()) {
                    it->second["groups"].push_back({{"value", group["id"]},
                                                    {"display", group_names[group["id"]]},
                                                    {"type", "direct"}});
                }
            }
        }
    }
    return out;
}

}  // namespace scim::filter::testing
