// scimctl: operator CLI for scimd. Bootstraps organizations and admin keys and manages
// workspaces, service access tokens and the audit log directly on the database.
//
// Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong.

#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "apps/scimctl/commands.h"
#include "auth/authenticator.h"
#include "db/url.h"

namespace {

struct Options {
    std::string db_url;
    std::string pepper_file;
    std::string org;
    std::string name;
    std::string id;
    std::string token;
    std::string workspace;
    std::string expires_in;
    std::string grace;
    std::string since;
    bool json = false;
};

std::string EnvOr(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? value : fallback;
}

std::optional<std::string> Given(const std::string& value) {
    return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

// A verb that needs the database: the action runs once the command line has been parsed.
using DbAction = std::function<int(scimctl::Env&)>;

void AddOrgCommands(CLI::App& app, Options& o, DbAction& action, bool& may_create) {
    auto* org = app.add_subcommand("org", "Manage organizations")->require_subcommand(1);
    auto* create = org->add_subcommand("create", "Create an organization; prints its id last");
    create->add_option("NAME,--name", o.name, "Display name")->required();
    create->callback([&] {
        // Creating the first organization is how an installation starts: only it may create
        // a missing database.
        may_create = true;
        action = [&](scimctl::Env& e) { return scimctl::OrgCreate(e, o.name); };
    });
    auto* list = org->add_subcommand("list", "List organizations");
    list->add_flag("--json", o.json, "Print JSON");
    list->callback([&] { action = [&](scimctl::Env& e) { return scimctl::OrgList(e, o.json); }; });
}

void AddWorkspaceCommands(CLI::App& app, Options& o, DbAction& action) {
    auto* ws = app.add_subcommand("workspace", "Manage workspaces")->require_subcommand(1);
    auto* create = ws->add_subcommand("create", "Create a workspace; prints its id last");
    create->add_option("--org", o.org, "Organization id")->required();
    create->add_option("NAME,--name", o.name, "Workspace name, unique in the organization")
        ->required();
    create->callback([&] {
        action = [&](scimctl::Env& e) { return scimctl::WorkspaceCreate(e, o.org, o.name); };
    });
    auto* list = ws->add_subcommand("list", "List the workspaces of an organization");
    list->add_option("--org", o.org, "Organization id")->required();
    list->add_flag("--json", o.json, "Print JSON");
    list->callback([&] {
        action = [&](scimctl::Env& e) { return scimctl::WorkspaceList(e, o.org, o.json); };
    });
}

void AddTokenCommands(CLI::App& app, Options& o, DbAction& action, int& offline_rc) {
    auto* token =
        app.add_subcommand("token", "Manage service access tokens")->require_subcommand(1);
    auto* create = token->add_subcommand(
        "create",
        "Create an organization SAT, or a workspace SAT with --workspace; prints it last");
    create->add_option("--org", o.org, "Organization id")->required();
    create->add_option("--name", o.name, "What the token is for, e.g. okta")->required();
    create->add_option("--workspace", o.workspace, "Workspace id: makes a workspace SAT");
    create->add_option("--expires-in", o.expires_in, "Lifetime such as 90d, 12h or 30m");
    create->callback([&] {
        action = [&](scimctl::Env& e) {
            return scimctl::TokenCreate(
                e, {o.org, o.name, Given(o.workspace), Given(o.expires_in), auth::TokenKind::kOrg});
        };
    });

    auto* list = token->add_subcommand("list", "List tokens and admin keys (never secrets)");
    list->add_option("--org", o.org, "Organization id")->required();
    list->add_flag("--json", o.json, "Print JSON");
    list->callback(
        [&] { action = [&](scimctl::Env& e) { return scimctl::TokenList(e, o.org, o.json); }; });

    auto* rotate = token->add_subcommand("rotate", "Give a token a new secret; prints it last");
    rotate->add_option("ID", o.id, "Token id")->required();
    rotate->add_option("--org", o.org, "Organization id (found from the id when omitted)");
    rotate->add_option("--grace", o.grace, "Keep the old secret working this long, e.g. 10m");
    rotate->callback([&] {
        action = [&](scimctl::Env& e) {
            return scimctl::TokenRotate(e, o.id, o.org, Given(o.grace));
        };
    });

    auto* revoke = token->add_subcommand("revoke", "Revoke a token at once");
    revoke->add_option("ID", o.id, "Token id")->required();
    revoke->add_option("--org", o.org, "Organization id (found from the id when omitted)");
    revoke->callback([&] {
        action = [&](scimctl::Env& e) { return scimctl::TokenRevoke(e, o.id, o.org, false); };
    });

    auto* check = token->add_subcommand(
        "check",
        "Check a token's format and checksum offline (reads stdin when TOKEN is - or absent)");
    check->add_option("TOKEN", o.token, "The token");
    check->callback([&] {
        std::string text = o.token;
        if (text.empty() || text == "-") {
            std::getline(std::cin, text);
        }
        offline_rc = scimctl::TokenCheck(text, std::cout, std::cerr);
    });
}

void AddAdminKeyCommands(CLI::App& app, Options& o, DbAction& action) {
    auto* key = app.add_subcommand("admin-key", "Manage org admin keys")->require_subcommand(1);
    auto* create = key->add_subcommand("create", "Create an admin key; prints it last");
    create->add_option("--org", o.org, "Organization id")->required();
    create->add_option("--name", o.name, "Who or what holds the key")->required();
    create->callback([&] {
        action = [&](scimctl::Env& e) {
            return scimctl::TokenCreate(
                e, {o.org, o.name, std::nullopt, std::nullopt, auth::TokenKind::kAdmin});
        };
    });
    auto* revoke = key->add_subcommand("revoke", "Revoke an admin key at once");
    revoke->add_option("ID", o.id, "Admin key id")->required();
    revoke->add_option("--org", o.org, "Organization id (found from the id when omitted)");
    revoke->callback([&] {
        action = [&](scimctl::Env& e) { return scimctl::TokenRevoke(e, o.id, o.org, true); };
    });
}

void AddAuditCommands(CLI::App& app, Options& o, DbAction& action, const auth::Clock& clock) {
    auto* audit = app.add_subcommand("audit", "Read the audit log")->require_subcommand(1);
    auto* tail = audit->add_subcommand("tail", "Print the audit events of an organization");
    tail->add_option("--org", o.org, "Organization id")->required();
    tail->add_option("--since", o.since, "RFC 3339 time, or a duration back from now such as 1h");
    tail->add_flag("--json", o.json, "Print JSON");
    tail->callback([&] {
        action = [&](scimctl::Env& e) {
            return scimctl::AuditTail(e, o.org, Given(o.since), o.json, clock);
        };
    });
}

}  // namespace

int main(int argc, char** argv) {
    auth::SystemClock clock;
    Options o;
    DbAction action;
    int offline_rc = -1;
    bool may_create = false;

    CLI::App app{"scimctl: manage scimd organizations, workspaces, tokens and the audit log"};
    app.require_subcommand(1);
    app.add_option("--db", o.db_url, "Database URL: sqlite:PATH or postgresql://... (env SCIMD_DB)")
        ->default_val(EnvOr("SCIMD_DB", "sqlite:./data/scimd.db"));
    app.add_option("--pepper-file", o.pepper_file,
                   "File holding the server's token pepper (env SCIMD_PEPPER_FILE)")
        ->default_val(EnvOr("SCIMD_PEPPER_FILE", ""));
    AddOrgCommands(app, o, action, may_create);
    AddWorkspaceCommands(app, o, action);
    AddTokenCommands(app, o, action, offline_rc);
    AddAdminKeyCommands(app, o, action);
    AddAuditCommands(app, o, action, clock);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? scimctl::kExitOk : scimctl::kExitUsage;
    }
    if (offline_rc >= 0) {
        return offline_rc;
    }
    if (!action) {
        std::cerr << app.help();
        return scimctl::kExitUsage;
    }
    // A URL no backend accepts is a usage error, caught before anything is opened. The message
    // says which forms work and never repeats a password.
    if (auto target = db::ParseDatabaseUrl(o.db_url); !target.ok()) {
        std::cerr << "scimctl: bad --db (or SCIMD_DB): " << target.error().internal << "\n";
        return scimctl::kExitUsage;
    }
    auto env = scimctl::OpenEnv(o.db_url, o.pepper_file, clock, std::cout, std::cerr, may_create);
    if (!env) {
        return scimctl::kExitError;
    }
    return action(*env);
}
