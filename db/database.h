#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "db/dialect.h"
#include "scim/result.h"

namespace soci {
class session;
}

// The database handle shared by every store: a pool of SOCI sessions to one SQLite file or one
// PostgreSQL database, transactions with bounded retries, and the one place where SOCI
// exceptions become scim::Error values.
namespace db {

class CachedQuery;

// "sqlite" or "postgresql": the folder name under db/migrations/.
std::string_view DialectName(Dialect dialect);

// `url` with any password replaced by "***", safe for logs and error messages.
std::string RedactUrl(std::string_view url);

// Maps an exception thrown by SOCI (or anything else) inside a database call to a scim::Error:
//   unique violation                          -> 409 uniqueness (generic detail; stores that
//                                                know which attribute rewrite the detail)
//   connection lost / refused / timed out,
//   SQLite BUSY or LOCKED, PG statement or lock
//   timeout                                   -> 503 (Error::Unavailable)
//   anything else                             -> 500 (Error::Internal, message for the log only)
// Never puts SQL text or a DSN into `detail`.
scim::Error TranslateException(const std::exception& error);

// A database error message fit for the server log: SOCI appends the bound values of the failing
// statement (` with :p1="..."`) and PostgreSQL adds a DETAIL line quoting the conflicting key;
// both can carry filter values or personal data, so both are cut.
std::string LoggableMessage(std::string_view message);

// Bounds on how long a request may wait for the database, so that a database that hangs gives
// a quick 503 instead of holding request threads (and /readyz fails while it lasts).
struct DatabaseOptions {
    std::size_t pool_size = 4;  // at least 1; sqlite::memory: always uses 1
    // How long a request waits for a free pooled session before it gets 503.
    int pool_wait_ms = 1'000;
    // PostgreSQL: how long opening a connection may take, up to a server that answers the
    // startup handshake; also how long a server may stay silent on a fresh connection while
    // a statement runs before it counts as hung (see below).
    int connect_timeout_ms = 800;
    // PostgreSQL: server-side bounds set on every session (SET statement_timeout / lock_timeout)
    // so a write blocked on a row lock gives up after lock_timeout_ms. 0 leaves the setting to
    // the server (the URL's options, the role or postgresql.conf), e.g. behind PgBouncer in
    // transaction mode, where a session SET does not stick to one client.
    int statement_timeout_ms = 15'000;
    int lock_timeout_ms = 1'000;
    // PostgreSQL: keep the hot statements prepared on each session (see CachedQuery). Off for
    // a pooler in transaction mode that does not carry prepared statements between server
    // connections; the statements are then parsed and planned on every run.
    bool prepared_statements = true;
};

class Database {
public:
    // Opens `pool_size` sessions (at least 1) to
    //   sqlite:PATH                 a file, created when missing (WAL, busy_timeout,
    //                               foreign_keys on, synchronous NORMAL)
    //   sqlite::memory:             a private in-memory database; the pool is forced to 1
    //                               session because each SQLite memory connection is its own DB
    //   postgresql://user[:pass]@host[:port]/db[?key=value&...]
    //                               (also postgres://); libpq's connect_timeout is added as a
    //                               backstop unless the URL sets it; the bounds that matter are
    //                               DatabaseOptions
    // Does not apply migrations (see db/migrate.h). Errors: 400-free; a bad URL gives 500 with a
    // clear internal message, an unreachable server 503. The message never holds the password.
    static scim::Result<std::shared_ptr<Database>> Open(std::string_view url,
                                                        std::size_t pool_size = 4);
    // The same with every bound given. On PostgreSQL a watchdog also covers a server that stops
    // answering altogether (a hung or frozen process keeps accepting TCP, so server-side
    // timeouts never fire): when a statement has waited half of connect_timeout_ms, a fresh
    // connection attempt checks that the server still completes a handshake within the other
    // half; if it does not, every statement in flight is cut off and answers 503. Long but
    // live statements are left to statement_timeout_ms.
    static scim::Result<std::shared_ptr<Database>> Open(std::string_view url,
                                                        const DatabaseOptions& options);

    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    Dialect dialect() const { return dialect_; }
    std::size_t pool_size() const;
    // Sessions leased right now (for the pool gauge in /metrics). Thread-safe, approximate
    // while calls start and finish.
    std::size_t sessions_in_use() const { return in_use_.load(std::memory_order_relaxed); }
    const std::string& redacted_url() const { return redacted_url_; }

    // Runs `fn(session)` inside one transaction on a leased session and returns what `fn`
    // returns. `fn` returns scim::Result<T> or scim::Status; an error result rolls back, an ok
    // result commits. Exceptions thrown by `fn` roll back and are translated with
    // TranslateException. On SQLite the transaction is BEGIN IMMEDIATE (one writer at a time);
    // SQLite BUSY/LOCKED and PostgreSQL serialization failures or deadlocks re-run `fn` a bounded
    // number of times, then give 503 — so `fn` must be safe to run again from the start.
    // Thread-safe; blocks while every session is leased.
    template <typename F>
    auto WithTransaction(F&& fn) -> std::invoke_result_t<F&, soci::session&> {
        return Run<std::invoke_result_t<F&, soci::session&>>(true, fn);
    }

    // Same as WithTransaction but without BEGIN/COMMIT (autocommit reads). Not retried.
    template <typename F>
    auto WithSession(F&& fn) -> std::invoke_result_t<F&, soci::session&> {
        return Run<std::invoke_result_t<F&, soci::session&>>(false, fn);
    }

    // True when a trivial query succeeds on a pooled session (reconnecting if needed).
    bool Ping();

    // The query for `sql` kept on `session`, which must be leased by the calling thread (the
    // session passed to a WithSession/WithTransaction function). Created on first use; dropped
    // when the session reconnects. At most kMaxCachedQueries per session: when a new one would
    // exceed that, the session's cache starts afresh. `variant` tells apart uses of one SQL text
    // that bind differently (say, a text and then a number for the same placeholder).
    CachedQuery& Cached(soci::session& session,
                        const std::string& sql,
                        std::string_view variant = {});
    static constexpr std::size_t kMaxCachedQueries = 64;

private:
    class Pool;
    class FlightGuard;
    Database(Dialect dialect, std::string redacted_url, std::unique_ptr<Pool> pool);

    // The type-erased core of WithTransaction/WithSession.
    scim::Status RunErased(bool transactional,
                           const std::function<scim::Status(soci::session&)>& fn);

    template <typename R, typename F>
    R Run(bool transactional, F& fn) {
        std::optional<R> out;
        scim::Status status = RunErased(transactional, [&](soci::session& session) -> scim::Status {
            out.reset();
            out.emplace(fn(session));
            if (!out->ok()) {
                return out->error();
            }
            return scim::Ok{};
        });
        if (!status.ok()) {
            // An error produced by `fn` itself is returned as is; anything else (commit failure,
            // translated exception, exhausted retries) comes from RunErased.
            return std::move(status).error();
        }
        return std::move(*out);
    }

    Dialect dialect_;
    std::string redacted_url_;
    std::unique_ptr<Pool> pool_;
    std::atomic<std::size_t> in_use_{0};
};

}  // namespace db
