// scimd: the SCIM 2.0 server. See README.md for the flags and how the pieces fit.

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <pthread.h>
#include <sstream>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "apps/scimd/wiring.h"
#include "auth/authenticator.h"
#include "db/audit_store.h"
#include "db/database.h"
#include "db/migrate.h"
#include "db/resource_store.h"
#include "db/server_keys.h"
#include "db/token_store.h"
#include "schemas/schema.h"
#include "schemas/secret_hash.h"
#include "scim/http/admin_api.h"
#include "scim/http/api.h"
#include "scim/http/audit_counting_store.h"
#include "scim/http/client_address.h"
#include "scim/http/metrics.h"
#include "scim/http/server.h"
#include "scim/http/static_files.h"
#include "scim/service/discovery_service.h"
#include "scim/service/resource_service.h"

namespace {

struct Flags {
    std::string listen = "127.0.0.1:8080";
    std::string db = "sqlite:./data/scimd.db";
    int threads = 0;  // 0: 4 per core
    int pool = 0;     // 0: one per thread
    std::size_t max_body = 1024 * 1024;
    std::string public_url;
    std::string schema_dir;
    std::string pepper_file;
    std::string cursor_key_file;
    std::string admin_dir;  // empty: the console built into the binary
    bool discovery_auth = false;
    std::string log_format = "text";
    int header_timeout = 5;          // seconds
    int body_timeout = 30;           // seconds
    int keepalive_timeout = 75;      // seconds
    db::DatabaseOptions db_options;  // milliseconds; pool_size comes from --pool
    std::string trusted_proxies;     // comma-separated CIDR list
    int max_password_hashes = 0;     // 0: one per core
};

struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
};

// Bounds on waiting for the database (db::DatabaseOptions), all in milliseconds.
void AddDatabaseFlags(CLI::App& app, db::DatabaseOptions& options) {
    app.add_option("--db-pool-wait", options.pool_wait_ms,
                   "ms a request waits for a free database session before 503")
        ->envname("SCIMD_DB_POOL_WAIT")
        ->check(CLI::Range(1, 600'000))
        ->capture_default_str();
    app.add_option("--db-connect-timeout", options.connect_timeout_ms,
                   "ms PostgreSQL may take to answer a new connection; a server silent that "
                   "long during a statement counts as hung (503)")
        ->envname("SCIMD_DB_CONNECT_TIMEOUT")
        ->check(CLI::Range(100, 600'000))
        ->capture_default_str();
    app.add_option("--db-statement-timeout", options.statement_timeout_ms,
                   "PostgreSQL statement_timeout in ms (0: keep the server's)")
        ->envname("SCIMD_DB_STATEMENT_TIMEOUT")
        ->check(CLI::Range(0, 3'600'000))
        ->capture_default_str();
    app.add_option("--db-lock-timeout", options.lock_timeout_ms,
                   "PostgreSQL lock_timeout in ms (0: keep the server's)")
        ->envname("SCIMD_DB_LOCK_TIMEOUT")
        ->check(CLI::Range(0, 3'600'000))
        ->capture_default_str();
    app.add_option("--db-prepared-statements", options.prepared_statements,
                   "PostgreSQL: keep hot statements prepared per session (false behind a "
                   "pooler in transaction mode that does not carry them)")
        ->envname("SCIMD_DB_PREPARED_STATEMENTS")
        ->capture_default_str();
}

void AddFlags(CLI::App& app, Flags& flags) {
    app.add_option("--listen", flags.listen, "ADDR:PORT to listen on; port 0 picks a free one")
        ->envname("SCIMD_LISTEN")
        ->capture_default_str();
    app.add_option("--db", flags.db, "sqlite:PATH or postgresql://user@host:port/db")
        ->envname("SCIMD_DB")
        ->capture_default_str();
    app.add_option("--threads", flags.threads, "HTTP worker threads (default: 4 per core)")
        ->envname("SCIMD_THREADS")
        ->check(CLI::Range(0, 1024));
    app.add_option("--pool", flags.pool, "database sessions (default: one per thread)")
        ->envname("SCIMD_POOL")
        ->check(CLI::Range(0, 1024));
    app.add_option("--max-body", flags.max_body, "largest accepted request body in bytes")
        ->envname("SCIMD_MAX_BODY")
        ->capture_default_str();
    app.add_option("--public-url", flags.public_url,
                   "base URL clients use, for Location and meta.location "
                   "(default: http://LISTEN/scim/v2)")
        ->envname("SCIMD_PUBLIC_URL");
    app.add_option("--schema-dir", flags.schema_dir, "directory of extension schema files")
        ->envname("SCIMD_SCHEMA_DIR");
    app.add_option("--pepper-file", flags.pepper_file, "file holding the token hash pepper")
        ->envname("SCIMD_PEPPER_FILE");
    app.add_option("--cursor-key-file", flags.cursor_key_file,
                   "file holding the key that signs paging cursors; share it between instances "
                   "(default: a random key stored in the database on first start)")
        ->envname("SCIMD_CURSOR_KEY_FILE");
    app.add_option("--admin-dir", flags.admin_dir,
                   "serve the admin console (/admin/) from this directory instead of the copy "
                   "built into scimd; files are read once, at start")
        ->envname("SCIMD_ADMIN_DIR");
    app.add_flag("--discovery-auth", flags.discovery_auth,
                 "require a token for /ServiceProviderConfig, /ResourceTypes and /Schemas")
        ->envname("SCIMD_DISCOVERY_AUTH");
    app.add_option("--log-format", flags.log_format, "log lines as key=value text or JSON")
        ->envname("SCIMD_LOG_FORMAT")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    app.add_option("--header-timeout", flags.header_timeout,
                   "seconds a client may take to send the request line and headers")
        ->envname("SCIMD_HEADER_TIMEOUT")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    app.add_option("--body-timeout", flags.body_timeout,
                   "seconds a client may take to send the request body")
        ->envname("SCIMD_BODY_TIMEOUT")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    app.add_option("--keepalive-timeout", flags.keepalive_timeout,
                   "seconds an idle keep-alive connection stays open")
        ->envname("SCIMD_KEEPALIVE_TIMEOUT")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    AddDatabaseFlags(app, flags.db_options);
    app.add_option("--trusted-proxy", flags.trusted_proxies,
                   "comma-separated addresses or CIDR networks of proxies whose "
                   "X-Forwarded-For names the client (default: none)")
        ->envname("SCIMD_TRUSTED_PROXY");
    app.add_option("--max-password-hashes", flags.max_password_hashes,
                   "password hashes (64 MiB each) computed at once (default: one per core)")
        ->envname("SCIMD_MAX_PASSWORD_HASHES")
        ->check(CLI::Range(0, 1024));
}

std::optional<ListenAddress> ParseListen(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return std::nullopt;
    }
    ListenAddress address;
    address.host = text.substr(0, colon);
    if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
        address.host = address.host.substr(1, address.host.size() - 2);
    }
    try {
        std::size_t used = 0;
        int port = std::stoi(text.substr(colon + 1), &used);
        if (used != text.size() - colon - 1 || port < 0 || port > 65535) {
            return std::nullopt;
        }
        address.port = static_cast<std::uint16_t>(port);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return address;
}

std::string HostForUrl(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// A sqlite:PATH database lives in a directory that may not exist yet on a fresh checkout.
void EnsureSqliteDirectory(const std::string& url) {
    constexpr std::string_view kPrefix = "sqlite:";
    if (url.rfind(kPrefix, 0) != 0 || url == "sqlite::memory:") {
        return;
    }
    std::filesystem::path parent = std::filesystem::path(url.substr(kPrefix.size())).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent);
    }
}

std::optional<std::string> ReadKeyFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return std::nullopt;
    }
    std::ostringstream content;
    content << file.rdbuf();
    std::string key = content.str();
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) {
        key.pop_back();
    }
    return key;
}

int Fail(const std::string& what, const scim::Error& error) {
    // At start-up the operator is the reader: the internal message says what is wrong, where a
    // client's detail would only say "internal server error".
    std::cerr << "scimd: " << what << ": "
              << (error.internal.empty() ? error.detail : error.internal) << "\n";
    return 1;
}

// The cursor signing key: from --cursor-key-file when given, else the one stored in the
// database (created by the first instance), so every instance on one database accepts the
// cursors of the others. Prints why and returns nullopt on failure.
std::optional<std::string> CursorKey(const Flags& flags, db::Database& database) {
    if (!flags.cursor_key_file.empty()) {
        auto key = ReadKeyFile(flags.cursor_key_file);
        if (!key || key->size() < 16) {
            std::cerr << "scimd: the cursor key file must hold at least 16 bytes\n";
            return std::nullopt;
        }
        return key;
    }
    auto stored = db::LoadOrCreateServerKey(database, db::kCursorKeyName);
    if (!stored.ok()) {
        Fail("cannot read the cursor key from the database", stored.error());
        return std::nullopt;
    }
    return *stored;
}

int Serve(const Flags& flags) {
    auto listen = ParseListen(flags.listen);
    if (!listen) {
        std::cerr << "scimd: --listen must be ADDR:PORT, got '" << flags.listen << "'\n";
        return 2;
    }
    scim::http::LogFormat log_format =
        scim::http::ParseLogFormat(flags.log_format).value_or(scim::http::LogFormat::kText);
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    int threads = flags.threads > 0 ? flags.threads : static_cast<int>(4 * cores);
    std::size_t pool = flags.pool > 0 ? flags.pool : static_cast<std::size_t>(threads);

    auto trusted_proxies = scim::http::ParseCidrList(flags.trusted_proxies);
    if (!trusted_proxies.ok()) {
        return Fail("bad --trusted-proxy", trusted_proxies.error());
    }
    if (flags.max_password_hashes > 0) {
        schemas::SecretHashLimit().SetLimit(static_cast<std::size_t>(flags.max_password_hashes));
    }

    EnsureSqliteDirectory(flags.db);
    db::DatabaseOptions db_options = flags.db_options;
    db_options.pool_size = pool;
    auto database = db::Database::Open(flags.db, db_options);
    if (!database.ok()) {
        return Fail("cannot open the database", database.error());
    }
    auto version = db::Migrate(**database);
    if (!version.ok()) {
        return Fail("cannot migrate " + (*database)->redacted_url(), version.error());
    }
    auto registry = schemas::Registry::Load(flags.schema_dir);
    if (!registry.ok()) {
        return Fail("cannot load schemas", registry.error());
    }
    auth::Pepper pepper;
    if (!flags.pepper_file.empty()) {
        auto loaded = auth::Pepper::FromFile(flags.pepper_file);
        if (!loaded.ok()) {
            return Fail("cannot read the pepper file", loaded.error());
        }
        pepper = std::move(*loaded);
    }
    auto cursor_key = CursorKey(flags, **database);
    if (!cursor_key) {
        return 1;
    }

    auth::SystemClock clock;
    db::TokenStore tokens(*database, pepper, clock);
    auth::AuthenticatorOptions auth_options;
    auth_options.credential_cache_ttl = auth::kMaxCredentialCacheTtl;
    auth::Authenticator authenticator(tokens, pepper, clock, auth_options);
    scimd::OrgSatAuthenticator org_sat(authenticator);
    scim::http::Metrics metrics(scim::http::Api::RouteTemplates(), {std::to_string(*version)});
    metrics.SetPoolProbe([db = *database] {
        return scim::http::PoolUse{db->sessions_in_use(), db->pool_size()};
    });
    db::SqlResourceStore sql_store(*database);
    scim::http::AuditCountingStore store(sql_store, metrics);
    db::AuditStore audit(*database);
    scim::http::AdminApiOptions admin_options;
    admin_options.metrics = &metrics;
    scim::http::AdminApi admin(authenticator, tokens, audit, clock, admin_options);

    scimd::ServiceBackend backend;
    scim::http::ApiOptions api_options;
    api_options.max_body_bytes = flags.max_body;
    api_options.discovery_requires_auth = flags.discovery_auth;
    api_options.admin = &admin;
    api_options.log_format = log_format;
    api_options.metrics = &metrics;
    api_options.trusted_proxies = *trusted_proxies;
    auto console = flags.admin_dir.empty()
                       ? scim::Result<scim::http::StaticFiles>(scim::http::StaticFiles::Embedded())
                       : scim::http::StaticFiles::FromDirectory(flags.admin_dir);
    if (!console.ok()) {
        return Fail("cannot load the admin console", console.error());
    }
    api_options.console = &*console;
    scim::http::Api api(backend, org_sat, api_options);

    scim::http::ServerOptions server_options;
    server_options.host = listen->host;
    server_options.port = listen->port;
    server_options.threads = threads;
    server_options.max_body_bytes = flags.max_body;
    server_options.header_timeout = std::chrono::seconds(flags.header_timeout);
    server_options.body_timeout = std::chrono::seconds(flags.body_timeout);
    server_options.keepalive_timeout = std::chrono::seconds(flags.keepalive_timeout);
    scim::http::Server server(api, server_options);
    scim::Status started = server.Start();
    if (!started.ok()) {
        return Fail("cannot start", started.error());
    }

    // The real port is known only now, and the default public URL names it.
    std::string listen_url =
        "http://" + HostForUrl(listen->host) + ":" + std::to_string(server.Port()) + "/scim/v2";
    std::string base_url = flags.public_url.empty() ? listen_url : flags.public_url;
    while (!base_url.empty() && base_url.back() == '/') {
        base_url.pop_back();
    }
    scim::service::Config service_config;
    service_config.base_url = base_url;
    service_config.cursor_key = *cursor_key;
    scim::service::ResourceService resources(*registry, store, service_config);
    schemas::DiscoveryConfig discovery_config;
    discovery_config.base_url = base_url;
    discovery_config.max_results = service_config.max_results;
    scim::service::DiscoveryService discovery(*registry, discovery_config);
    backend.Attach(resources, discovery, store);

    scim::http::StderrSink(scim::http::FormatEventLine(
        log_format, "info", "started",
        {{"db", (*database)->redacted_url()},
         {"schema_version", std::to_string(*version)},
         {"threads", std::to_string(threads)},
         {"pool", std::to_string(pool)},
         {"prepared_statements", db_options.prepared_statements ? "1" : "0"},
         {"max_body", std::to_string(flags.max_body)},
         {"discovery_auth", flags.discovery_auth ? "1" : "0"},
         {"cursor_key", flags.cursor_key_file.empty() ? "database" : "file"},
         {"public_url", base_url}}));
    std::cout << "scimd listening on " << listen_url << std::endl;

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    int received = 0;
    sigwait(&signals, &received);
    scim::http::StderrSink(scim::http::FormatEventLine(log_format, "info", "stopping",
                                                       {{"signal", std::to_string(received)}}));
    server.Shutdown();
    scim::http::StderrSink(scim::http::FormatEventLine(log_format, "info", "stopped"));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Block the shutdown signals before any thread starts, so every thread inherits the mask and
    // only the sigwait in Serve receives them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    CLI::App app{"scimd: SCIM 2.0 server (RFC 7643/7644) for Okta and Microsoft Entra ID"};
    Flags flags;
    AddFlags(app, flags);
    CLI11_PARSE(app, argc, argv);
    try {
        return Serve(flags);
    } catch (const std::exception& e) {
        std::cerr << "scimd: fatal: " << e.what() << "\n";
        return 1;
    }
}
