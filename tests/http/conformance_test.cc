// End-to-end harness: starts the real scimd on 127.0.0.1 (port 0) against a fresh SQLite file or
// the PostgreSQL named by SCIM_TEST_PG_DSN, mints tokens for two fresh organizations with
// scimctl, and replays the JSON scenarios in conformance/fixtures/ (format: conformance/README.md).

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/curl_client.h"
#include "http/process.h"

namespace scim::http::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Vars = std::map<std::string, std::string>;
using Items = std::vector<std::string>;

enum class Backend { kSqlite, kPostgres };

std::string BackendName(Backend backend) {
    return backend == Backend::kSqlite ? "sqlite" : "postgresql";
}

std::string EnvOr(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

fs::path SourceDir() {
    return EnvOr("SCIMD_SOURCE_DIR", SCIMD_SOURCE_DIR_DEFAULT);
}

std::vector<std::string> FixtureNames() {
    std::vector<std::string> names;
    fs::path dir = SourceDir() / "conformance" / "fixtures";
    if (fs::is_directory(dir)) {
        for (const auto& entry : fs::directory_iterator(dir)) {
            if (entry.path().extension() == ".json") {
                names.push_back(entry.path().stem().string());
            }
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Replaces every ${name} in `text`; an unknown name is left as it is, so the mismatch shows.
std::string Substitute(const std::string& text, const Vars& vars) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        std::size_t open = text.find("${", pos);
        std::size_t close = open == std::string::npos ? open : text.find('}', open);
        if (close == std::string::npos) {
            return out + text.substr(pos);
        }
        auto found = vars.find(text.substr(open + 2, close - open - 2));
        out += text.substr(pos, open - pos);
        out += found != vars.end() ? found->second : text.substr(open, close - open + 1);
        pos = close + 1;
    }
}

Json SubstituteJson(const Json& value, const Vars& vars) {
    if (value.is_string()) {
        return Substitute(value.get<std::string>(), vars);
    }
    Json out = value;
    if (value.is_object() || value.is_array()) {
        for (auto& item : out) {
            item = SubstituteJson(item, vars);
        }
    }
    return out;
}

// `expected` is contained in `actual`: objects by key (recursively), arrays element-wise in any
// order, a string "~text" by containing text, other scalars by equality. Describes the first
// difference in `why`.
bool Contains(const Json& actual, const Json& expected, const std::string& at, std::string& why) {
    if (expected.is_object()) {
        if (!actual.is_object()) {
            why = at + ": expected an object, got " + actual.dump();
            return false;
        }
        for (const auto& [key, value] : expected.items()) {
            if (!actual.contains(key)) {
                why = at + "/" + key + ": missing";
                return false;
            }
            if (!Contains(actual[key], value, at + "/" + key, why)) {
                return false;
            }
        }
        return true;
    }
    if (expected.is_array()) {
        if (!actual.is_array()) {
            why = at + ": expected an array, got " + actual.dump();
            return false;
        }
        for (const auto& wanted : expected) {
            std::string ignored;
            bool found = std::any_of(actual.begin(), actual.end(), [&](const Json& item) {
                return Contains(item, wanted, at, ignored);
            });
            if (!found) {
                why = at + ": no element matches " + wanted.dump() + " in " + actual.dump();
                return false;
            }
        }
        return true;
    }
    if (expected.is_string() && expected.get<std::string>().rfind("~", 0) == 0) {
        // "~text": a string that contains text, as for headers.
        if (!actual.is_string() ||
            actual.get<std::string>().find(expected.get<std::string>().substr(1)) ==
                std::string::npos) {
            why =
                at + ": expected a string containing " + expected.dump() + ", got " + actual.dump();
            return false;
        }
        return true;
    }
    if (actual != expected) {
        why = at + ": expected " + expected.dump() + ", got " + actual.dump();
        return false;
    }
    return true;
}

struct Totals {
    std::atomic<int> passed{0};
    std::atomic<int> total{0};
};

Totals& TotalsFor(Backend backend) {
    static Totals totals[2];
    return totals[static_cast<int>(backend)];
}

class ConformanceTest : public ::testing::TestWithParam<std::tuple<Backend, std::string>> {
protected:
    static void TearDownTestSuite() {
        for (Backend backend : {Backend::kSqlite, Backend::kPostgres}) {
            Totals& totals = TotalsFor(backend);
            if (totals.total > 0) {
                std::printf("conformance[%s]: %d of %d steps passed\n",
                            BackendName(backend).c_str(), totals.passed.load(),
                            totals.total.load());
            }
        }
    }

    void SetUp() override {
        auto [backend, fixture] = GetParam();
        backend_ = backend;
        if (backend == Backend::kPostgres) {
            db_url_ = EnvOr("SCIM_TEST_PG_DSN", "");
            if (db_url_.empty()) {
                GTEST_SKIP() << "SCIM_TEST_PG_DSN is not set; PostgreSQL scenarios skipped";
            }
        }
        work_ = fs::temp_directory_path() /
                ("scimd-conformance-" + std::to_string(getpid()) + "-" + fixture);
        fs::remove_all(work_);
        fs::create_directories(work_);
        log_ = (work_ / "scimd.log").string();
        if (backend == Backend::kSqlite) {
            db_url_ = "sqlite:" + (work_ / "scimd.db").string();
        }
        // Fresh organizations per scenario, so runs never see each other's data.
        vars_["token"] = MintToken(fixture + "-a", "token");
        vars_["token2"] = MintToken(fixture + "-b", "token2");
        std::vector<std::string> command = {(BinaryDir() / "scimd").string(),
                                            "--db",
                                            db_url_,
                                            "--listen",
                                            "127.0.0.1:0",
                                            "--threads",
                                            "4",
                                            "--pool",
                                            "4"};
        // A scenario may start scimd with extra flags; `${sourceDir}` names the source tree.
        Vars args_vars = {{"sourceDir", SourceDir().string()}};
        for (const Json& arg : ReadScenario(fixture).value("scimdArgs", Json::array())) {
            command.push_back(Substitute(arg.get<std::string>(), args_vars));
        }
        std::string error;
        ASSERT_TRUE(server_.Start(command, log_, 30, error)) << error << "\n" << Tail();
        vars_["base"] = server_.url();
    }

    void TearDown() override {
        if (!server_.url().empty()) {
            EXPECT_EQ(server_.Stop(), 0) << "scimd did not shut down cleanly\n" << Tail();
        }
        if (!HasFailure()) {
            fs::remove_all(work_);
        }
    }

    static Json ReadScenario(const std::string& fixture) {
        fs::path file = SourceDir() / "conformance" / "fixtures" / (fixture + ".json");
        std::ifstream in(file);
        return in ? Json::parse(in) : Json::object();
    }

    // Creates an organization and returns a new organization token for it; also sets
    // `${<var>Workspace}` to a workspace token of the same organization (a valid credential of
    // the wrong level for SCIM).
    std::string MintToken(const std::string& org_name, const std::string& var) {
        std::string org_id = Ctl({"org", "create", org_name});
        std::string workspace_id = Ctl({"workspace", "create", "--org", org_id, "provisioning"});
        vars_[var + "Workspace"] =
            Ctl({"token", "create", "--org", org_id, "--name", "ws", "--workspace", workspace_id});
        return Ctl({"token", "create", "--org", org_id, "--name", "conformance"});
    }

    // Runs scimctl on the scenario's database; returns the last line it printed.
    std::string Ctl(std::vector<std::string> args) {
        args.insert(args.begin(), {(BinaryDir() / "scimctl").string(), "--db", db_url_});
        RunResult result = RunToCompletion(args, log_);
        EXPECT_EQ(result.exit_code, 0) << args[3] << " " << args[4] << "\n" << Tail();
        return LastLine(result.out);
    }

    std::string Tail() const {
        std::ifstream file(log_);
        std::vector<std::string> lines;
        for (std::string line; std::getline(file, line);) {
            lines.push_back(line);
        }
        std::string out = "--- last lines of " + log_ + " ---\n";
        for (std::size_t i = lines.size() > 15 ? lines.size() - 15 : 0; i < lines.size(); ++i) {
            out += lines[i] + "\n";
        }
        return out;
    }

    HeaderList RequestHeaders(const Json& step) const {
        HeaderList headers;
        std::string auth = step.value("auth", "token");
        if (auth != "none") {
            auto named = vars_.find(auth);  // "token", "token2", "tokenWorkspace", ...
            std::string token = named != vars_.end() ? named->second : auth;
            headers.emplace_back("Authorization", "Bearer " + token);
        }
        bool has_body = step.contains("body") || step.contains("rawBody");
        bool sets_type = false;
        const Json headers_spec = step.value("headers", Json::object());
        for (const auto& [name, value] : headers_spec.items()) {
            headers.emplace_back(name, Substitute(value.get<std::string>(), vars_));
            sets_type = sets_type || EqualsIgnoreCaseAscii(name, "Content-Type");
        }
        if (has_body && !sets_type) {
            headers.emplace_back("Content-Type", "application/scim+json");
        }
        return headers;
    }

    static bool EqualsIgnoreCaseAscii(std::string a, std::string b) {
        auto lower = [](std::string s) {
            for (char& c : s) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            return s;
        };
        return lower(std::move(a)) == lower(std::move(b));
    }

    // `{"$each": "list", "as": template}` becomes an array holding `template` once per item
    // that `expect.collect` gathered into `list`, with `${item}` set to the item.
    // `{"$times": N, "as": template}` becomes an array of N copies of `template`, with `${n}`
    // counting from 1; `{"$text": "abc", "times": N}` becomes "abc" repeated N times. Both keep
    // large bodies out of the fixture files.
    Json ExpandEach(const Json& value) const {
        if (value.is_object() && value.contains("$times")) {
            Json out = Json::array();
            for (int n = 1; n <= value["$times"].get<int>(); ++n) {
                Vars item_vars = vars_;
                item_vars["n"] = std::to_string(n);
                out.push_back(SubstituteJson(value.value("as", Json("${n}")), item_vars));
            }
            return out;
        }
        if (value.is_object() && value.contains("$text")) {
            std::string out;
            for (int n = 0; n < value.value("times", 1); ++n) {
                out += value["$text"].get<std::string>();
            }
            return out;
        }
        if (value.is_object() && value.contains("$each")) {
            Json out = Json::array();
            auto list = lists_.find(value["$each"].get<std::string>());
            for (const std::string& item : list != lists_.end() ? list->second : Items{}) {
                Vars item_vars = vars_;
                item_vars["item"] = item;
                out.push_back(SubstituteJson(value.value("as", Json("${item}")), item_vars));
            }
            return out;
        }
        Json out = value;
        if (value.is_object() || value.is_array()) {
            for (auto& item : out) {
                item = ExpandEach(item);
            }
        }
        return out;
    }

    // Runs one step, `repeat` times (default once) with `${i}` counting from 1; returns false
    // when a run failed (the failures are recorded with EXPECT).
    bool RunStep(const Json& step) {
        int repeat = step.value("repeat", 1);
        bool ok = true;
        for (int i = 1; i <= repeat && ok; ++i) {
            vars_["i"] = std::to_string(i);
            ok = RunStepOnce(step);
        }
        return ok;
    }

    bool RunStepOnce(const Json& step) {
        std::string name = step.value("name", "(unnamed)");
        SCOPED_TRACE("step: " + name);
        std::string body;
        if (step.contains("rawBody")) {
            body = Substitute(step["rawBody"].get<std::string>(), vars_);
        } else if (step.contains("body")) {
            body = SubstituteJson(ExpandEach(step["body"]), vars_).dump();
        }
        std::string url = vars_["base"] + Substitute(step["path"].get<std::string>(), vars_);
        ClientResponse response =
            client_.Send(step["method"].get<std::string>(), url, RequestHeaders(step),
                         step.contains("body") || step.contains("rawBody") ? &body : nullptr);
        return Check(SubstituteJson(step["expect"], vars_), response);
    }

    bool Check(const Json& expect, const ClientResponse& response) {
        bool ok = true;
        auto fail = [&](const std::string& what) {
            ADD_FAILURE() << what << "\nresponse " << response.status << ": " << response.body;
            ok = false;
        };
        if (response.status != expect.value("status", 200)) {
            fail("status " + std::to_string(response.status) + ", expected " +
                 std::to_string(expect.value("status", 200)));
        }
        const Json headers_spec = expect.value("headers", Json::object());
        for (const auto& [name, wanted] : headers_spec.items()) {
            auto actual = response.Header(name);
            std::string text = wanted.get<std::string>();
            bool contains = text.rfind("~", 0) == 0;
            if (!actual || (contains ? actual->find(text.substr(1)) == std::string_view::npos
                                     : *actual != text)) {
                fail("header " + name + ": expected " + text + ", got " +
                     std::string(actual.value_or("(absent)")));
            }
        }
        Json parsed = Json::parse(response.body, nullptr, false);
        if (expect.contains("body") || expect.contains("pointers") || expect.contains("absent") ||
            expect.contains("capture") || expect.contains("lengths")) {
            if (parsed.is_discarded()) {
                fail("response body is not JSON");
                return false;
            }
        }
        std::string why;
        if (expect.contains("body") && !Contains(parsed, expect["body"], "", why)) {
            fail("body: " + why);
        }
        const Json pointers_spec = expect.value("pointers", Json::object());
        for (const auto& [pointer, wanted] : pointers_spec.items()) {
            Json::json_pointer ptr(pointer);
            if (!parsed.contains(ptr) || !Contains(parsed[ptr], wanted, pointer, why)) {
                fail("pointer " + pointer + ": " +
                     (parsed.contains(ptr) ? why : std::string("missing")));
            }
        }
        const Json lengths_spec = expect.value("lengths", Json::object());
        for (const auto& [pointer, length] : lengths_spec.items()) {
            Json::json_pointer ptr(pointer);
            std::size_t actual = parsed.contains(ptr) ? parsed[ptr].size() : 0;
            if (actual != length.get<std::size_t>()) {
                fail("pointer " + pointer + " holds " + std::to_string(actual) +
                     " items, expected " + length.dump());
            }
        }
        const Json absent = expect.value("absent", Json::array());
        for (const auto& pointer : absent) {
            if (parsed.contains(Json::json_pointer(pointer.get<std::string>()))) {
                fail("pointer " + pointer.get<std::string>() + " should be absent");
            }
        }
        const Json capture_spec = expect.value("capture", Json::object());
        for (const auto& [var, pointer] : capture_spec.items()) {
            Json::json_pointer ptr(pointer.get<std::string>());
            if (!parsed.contains(ptr) || !parsed[ptr].is_string()) {
                fail("cannot capture " + var + " from " + pointer.get<std::string>());
                continue;
            }
            vars_[var] = parsed[ptr].get<std::string>();
        }
        const Json collect_spec = expect.value("collect", Json::object());
        for (const auto& [list, pointer] : collect_spec.items()) {
            Json::json_pointer ptr(pointer.get<std::string>());
            if (!parsed.contains(ptr) || !parsed[ptr].is_string()) {
                fail("cannot collect " + list + " from " + pointer.get<std::string>());
                continue;
            }
            lists_[list].push_back(parsed[ptr].get<std::string>());
        }
        return ok;
    }

    Backend backend_ = Backend::kSqlite;
    std::string db_url_;
    fs::path work_;
    std::string log_;
    Vars vars_;
    std::map<std::string, Items> lists_;  // gathered by `expect.collect`
    ServerProcess server_;
    CurlClient client_;
};

TEST_P(ConformanceTest, ReplaysScenario) {
    Json scenario = ReadScenario(std::get<1>(GetParam()));
    ASSERT_TRUE(scenario.contains("steps")) << "cannot read " << std::get<1>(GetParam());
    Totals& totals = TotalsFor(backend_);
    for (const Json& step : scenario.at("steps")) {
        totals.total++;
        bool passed = false;
        try {
            passed = RunStep(step);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "step " << step.value("name", "(unnamed)")
                          << " is malformed: " << e.what();
        }
        totals.passed += passed ? 1 : 0;
        bool feeds_later = step.contains("expect") && (step["expect"].contains("capture") ||
                                                       step["expect"].contains("collect"));
        if (!passed && feeds_later) {
            ADD_FAILURE() << "stopping: later steps depend on what this step should capture\n"
                          << Tail();
            return;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures,
                         ConformanceTest,
                         ::testing::Combine(::testing::Values(Backend::kSqlite, Backend::kPostgres),
                                            ::testing::ValuesIn(FixtureNames())),
                         [](const auto& info) {
                             std::string name = BackendName(std::get<0>(info.param)) + "_" +
                                                std::get<1>(info.param);
                             for (char& c : name) {
                                 c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                             }
                             return name;
                         });

}  // namespace
}  // namespace scim::http::testing
