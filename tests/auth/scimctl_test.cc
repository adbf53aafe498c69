#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/token.h"

// Runs the built scimctl binary against a temporary SQLite file, the way an operator would.
namespace {

namespace fs = std::filesystem;

struct CliRun {
    int rc = -1;
    std::string out;
    std::string err;

    std::string LastLine() const {
        std::string trimmed = out;
        while (!trimmed.empty() && trimmed.back() == '\n') {
            trimmed.pop_back();
        }
        auto pos = trimmed.rfind('\n');
        return pos == std::string::npos ? trimmed : trimmed.substr(pos + 1);
    }
};

// The scimctl next to this test binary (both are built into the build root), or $SCIMCTL_BIN.
fs::path ScimctlPath() {
    if (const char* env = std::getenv("SCIMCTL_BIN"); env != nullptr && *env != '\0') {
        return env;
    }
    return fs::read_symlink("/proc/self/exe").parent_path() / "scimctl";
}

class ScimctlTest : public testing::Test {
protected:
    void SetUp() override {
        bin_ = ScimctlPath();
        if (!fs::exists(bin_)) {
            GTEST_SKIP() << "scimctl is not built at " << bin_ << "; build the scimctl target";
        }
        std::random_device rd;
        dir_ = fs::temp_directory_path() / ("scimctl-test-" + std::to_string(rd()));
        fs::create_directories(dir_);
    }

    void TearDown() override {
        if (!dir_.empty()) {
            fs::remove_all(dir_);
        }
    }

    // `args` are passed through /bin/sh; the tests use only shell-safe words.
    CliRun Scimctl(const std::string& args, const std::string& stdin_text = "") {
        return ScimctlOn("sqlite:" + (dir_ / "data" / "scimd.db").string(), args, stdin_text);
    }

    CliRun ScimctlOn(const std::string& db,
                     const std::string& args,
                     const std::string& stdin_text = "") {
        const fs::path out = dir_ / "out", err = dir_ / "err", in = dir_ / "in";
        std::ofstream(in) << stdin_text;
        std::string cmd = bin_.string() + " --db '" + db + "' " + args + " <" + in.string() + " >" +
                          out.string() + " 2>" + err.string();
        int status = std::system(cmd.c_str());
        CliRun run;
        run.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        run.out = Slurp(out);
        run.err = Slurp(err);
        return run;
    }

    static std::string Slurp(const fs::path& p) {
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    fs::path bin_;
    fs::path dir_;
};

TEST_F(ScimctlTest, OrgWorkspaceTokensRotateRevokeAndAuditTail) {
    CliRun org = Scimctl("org create Acme");
    ASSERT_EQ(org.rc, 0) << org.err;
    const std::string org_id = org.LastLine();
    EXPECT_TRUE(auth::IsTokenSafeOrgId(org_id)) << org_id;

    CliRun ws = Scimctl("workspace create --org " + org_id + " EMEA");
    ASSERT_EQ(ws.rc, 0) << ws.err;
    const std::string ws_id = ws.LastLine();

    CliRun sat = Scimctl("token create --org " + org_id + " --name okta --expires-in 90d");
    ASSERT_EQ(sat.rc, 0) << sat.err;
    const std::string sat_secret = sat.LastLine();
    auto parsed = auth::Parse(sat_secret);
    ASSERT_TRUE(parsed && parsed->checksum_ok) << sat_secret;
    EXPECT_EQ(parsed->org_id, org_id);
    EXPECT_EQ(sat.out.find(sat_secret), sat.out.size() - sat_secret.size() - 1);  // only last
    EXPECT_EQ(sat.err.find(sat_secret), std::string::npos);

    CliRun ws_sat = Scimctl("token create --org " + org_id + " --name emea --workspace " + ws_id);
    ASSERT_EQ(ws_sat.rc, 0) << ws_sat.err;
    EXPECT_TRUE(ws_sat.LastLine().starts_with("scimd_wsat_"));
    CliRun key = Scimctl("admin-key create --org " + org_id + " --name ops");
    ASSERT_EQ(key.rc, 0) << key.err;
    EXPECT_TRUE(key.LastLine().starts_with("scimd_akey_"));

    CliRun list = Scimctl("token list --org " + org_id + " --json");
    ASSERT_EQ(list.rc, 0) << list.err;
    EXPECT_EQ(list.out.find(sat_secret.substr(sat_secret.size() - 20)), std::string::npos);
    auto tokens = nlohmann::json::parse(list.out);
    ASSERT_EQ(tokens.size(), 3u);
    std::string sat_id, key_id;
    for (const auto& t : tokens) {
        if (t["name"] == "okta") {
            sat_id = t["id"];
            EXPECT_FALSE(t["expires_at"].is_null());
            EXPECT_EQ(t["hint"], auth::Hint(sat_secret));
        }
        if (t["name"] == "ops") {
            key_id = t["id"];
            EXPECT_EQ(t["level"], "admin");
        }
    }
    ASSERT_FALSE(sat_id.empty());

    EXPECT_EQ(Scimctl("token check " + sat_secret).rc, 0);
    EXPECT_EQ(Scimctl("token check", sat_secret + "\n").rc, 0);
    std::string typo = sat_secret;
    typo[typo.size() - 10] = typo[typo.size() - 10] == 'a' ? 'b' : 'a';
    EXPECT_EQ(Scimctl("token check " + typo).rc, 1);

    CliRun rotated = Scimctl("token rotate " + sat_id + " --grace 10m");
    ASSERT_EQ(rotated.rc, 0) << rotated.err;
    EXPECT_NE(rotated.LastLine(), sat_secret);
    EXPECT_EQ(Scimctl("admin-key revoke " + sat_id).rc, 2);  // wrong kind for the verb
    CliRun revoked = Scimctl("token revoke " + sat_id);
    ASSERT_EQ(revoked.rc, 0) << revoked.err;
    EXPECT_EQ(Scimctl("admin-key revoke " + key_id).rc, 0);

    CliRun audit = Scimctl("audit tail --org " + org_id + " --json");
    ASSERT_EQ(audit.rc, 0) << audit.err;
    std::vector<std::string> actions;
    for (const auto& e : nlohmann::json::parse(audit.out)) {
        actions.push_back(e["action"]);
        EXPECT_EQ(e["actor_kind"], "cli");
    }
    EXPECT_EQ(actions,
              (std::vector<std::string>{"org.created", "workspace.created", "token.created",
                                        "token.created", "admin_key.created", "token.rotated",
                                        "token.revoked", "admin_key.revoked"}));
    EXPECT_EQ(audit.out.find(sat_secret), std::string::npos);
    CliRun text_tail = Scimctl("audit tail --org " + org_id + " --since 1h");
    EXPECT_EQ(text_tail.rc, 0) << text_tail.err;
    EXPECT_NE(text_tail.out.find("token.revoked"), std::string::npos);
}

// SQLite creates a missing file on open: a mistyped --db must not look like an empty
// installation, nor leave a stray database behind.
TEST_F(ScimctlTest, OnlyOrgCreateMayCreateAMissingDatabase) {
    const fs::path file = dir_ / "data" / "scimd.db";
    const char* reads[] = {"org list",
                           "workspace list --org o1",
                           "token list --org o1",
                           "audit tail --org o1",
                           "token revoke tok-x",
                           "workspace create --org o1 w",
                           "token create --org o1 --name x"};
    for (const char* args : reads) {
        SCOPED_TRACE(args);
        CliRun run = Scimctl(args);
        EXPECT_EQ(run.rc, 1);
        EXPECT_NE(run.err.find("does not exist"), std::string::npos) << run.err;
        EXPECT_FALSE(fs::exists(file));
    }
    CliRun org = Scimctl("org create Acme");
    ASSERT_EQ(org.rc, 0) << org.err;
    EXPECT_TRUE(fs::exists(file));
    CliRun list = Scimctl("org list");
    EXPECT_EQ(list.rc, 0) << list.err;
    EXPECT_NE(list.out.find("Acme"), std::string::npos);
}

TEST_F(ScimctlTest, UsageErrorsExitTwoAndFailuresExitOne) {
    EXPECT_EQ(Scimctl("").rc, 2);
    EXPECT_EQ(Scimctl("token").rc, 2);
    EXPECT_EQ(Scimctl("token create --name x").rc, 2);  // --org missing
    EXPECT_EQ(Scimctl("token frobnicate").rc, 2);
    EXPECT_EQ(Scimctl("token create --help").rc, 0);
    EXPECT_EQ(Scimctl("token create --org nope --name x").rc, 1);
    EXPECT_EQ(Scimctl("token revoke tok-doesnotexist").rc, 1);
    CliRun org = Scimctl("org create Acme");
    ASSERT_EQ(org.rc, 0);
    EXPECT_EQ(Scimctl("token create --org " + org.LastLine() + " --name x --expires-in 5y").rc, 2);
    EXPECT_EQ(Scimctl("audit tail --org " + org.LastLine() + " --since whenever").rc, 2);
}

// Names of organizations and workspaces are given positionally or with --name, the way
// `token create` and `admin-key create` take theirs.
TEST_F(ScimctlTest, OrgAndWorkspaceNamesAlsoTakeTheNameFlag) {
    CliRun org = Scimctl("org create --name Acme");
    ASSERT_EQ(org.rc, 0) << org.err;
    CliRun by_flag = Scimctl("workspace create --org " + org.LastLine() + " --name emea");
    ASSERT_EQ(by_flag.rc, 0) << by_flag.err;
    CliRun by_position = Scimctl("workspace create --org " + org.LastLine() + " apac");
    ASSERT_EQ(by_position.rc, 0) << by_position.err;
    CliRun list = Scimctl("workspace list --org " + org.LastLine());
    EXPECT_NE(list.out.find("emea"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find("apac"), std::string::npos) << list.out;
    EXPECT_EQ(Scimctl("workspace create --org " + org.LastLine()).rc, 2);  // no name at all
}

// `--expires-in 0m` has a number and a unit, yet was told it needs "a number and a unit".
TEST_F(ScimctlTest, ZeroOrMalformedDurationsAreToldToBePositive) {
    CliRun org = Scimctl("org create Acme");
    ASSERT_EQ(org.rc, 0);
    for (const char* lifetime : {"0m", "-5m", "0d", "5y", "90"}) {
        SCOPED_TRACE(lifetime);
        CliRun run =
            Scimctl("token create --org " + org.LastLine() + " --name x --expires-in " + lifetime);
        EXPECT_EQ(run.rc, 2);
        EXPECT_NE(run.err.find("--expires-in must be a positive duration"), std::string::npos)
            << run.err;
    }
    CliRun none = Scimctl("token list --org " + org.LastLine() + " --json");
    ASSERT_EQ(none.rc, 0) << none.err;
    EXPECT_TRUE(nlohmann::json::parse(none.out).empty()) << none.out;

    ASSERT_EQ(Scimctl("token create --org " + org.LastLine() + " --name y").rc, 0);
    CliRun listed = Scimctl("token list --org " + org.LastLine() + " --json");
    ASSERT_EQ(listed.rc, 0) << listed.err;
    const std::string id = nlohmann::json::parse(listed.out).at(0).at("id");
    CliRun rotated = Scimctl("token rotate " + id + " --grace 0m");
    EXPECT_EQ(rotated.rc, 2);
    EXPECT_NE(rotated.err.find("--grace must be a positive duration"), std::string::npos)
        << rotated.err;
}

// A --db no backend accepts is the operator's typo: say which URLs work, exit with the usage
// code, and never repeat the password it may hold.
TEST_F(ScimctlTest, UnsupportedDatabaseUrlIsAUsageErrorThatNamesTheSchemes) {
    const char* kUrls[] = {"mysql://x", "mysql://root:hunter2@db/app", "hunter2",
                           "postgresql://root:hunter2@127.0.0.1/%zz", "sqlite:"};
    for (const char* url : kUrls) {
        SCOPED_TRACE(url);
        CliRun run = ScimctlOn(url, "org list");
        EXPECT_EQ(run.rc, 2);
        EXPECT_EQ(run.err.find("internal server error"), std::string::npos) << run.err;
        EXPECT_EQ(run.err.find("hunter2"), std::string::npos) << run.err;
        EXPECT_NE(run.err.find("--db"), std::string::npos) << run.err;
    }
    CliRun mysql = ScimctlOn("mysql://root:hunter2@db/app", "org list");
    EXPECT_NE(mysql.err.find("sqlite:PATH"), std::string::npos) << mysql.err;
    EXPECT_NE(mysql.err.find("postgresql://"), std::string::npos) << mysql.err;
    EXPECT_NE(mysql.err.find("\"mysql\""), std::string::npos) << mysql.err;
}

}  // namespace
