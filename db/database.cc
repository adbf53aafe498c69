#include "db/database.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <libpq-fe.h>
#include <mutex>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include <soci/connection-pool.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "db/cached_query.h"
#include "db/url.h"

namespace db {

namespace {

using Clock = std::chrono::steady_clock;

// How often the PostgreSQL watchdog looks at the statements in flight.
constexpr auto kWatchdogTick = std::chrono::milliseconds(100);
// SQLite waits this long on a locked database inside one statement before reporting BUSY.
constexpr int kSqliteBusyTimeoutMs = 2'000;
// Re-runs of a transaction that lost a race (SQLite BUSY/LOCKED, PG serialization/deadlock).
constexpr int kMaxConflictAttempts = 5;
// No re-run starts after this long: a BUSY that comes back after SQLite already waited out its
// busy timeout means a lock held elsewhere (another process, a long transaction), and waiting
// the timeout again on every attempt would hold the client for several timeouts (25 s with the
// old 5 s timeout and 5 attempts) before it hears 503.
constexpr auto kConflictRetryBudget = std::chrono::milliseconds(kSqliteBusyTimeoutMs);

constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr int kSqliteConstraint = 19;

enum class Failure { kUnique, kConflict, kConnection, kTimeout, kOther };

bool StartsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

Failure ClassifyPostgres(const soci::postgresql_soci_error& error) {
    const std::string state = error.sqlstate();
    if (state == "23505") {
        return Failure::kUnique;
    }
    if (state == "40001" || state == "40P01") {
        return Failure::kConflict;
    }
    if (state == "57014" || state == "55P03") {
        return Failure::kTimeout;  // statement_timeout or lock_timeout fired
    }
    // Class 08 is connection exceptions; 57P01..57P03 are the server shutting down or starting.
    if (StartsWith(state, "08") || StartsWith(state, "57P")) {
        return Failure::kConnection;
    }
    if (error.get_error_category() == soci::soci_error::connection_error) {
        return Failure::kConnection;
    }
    return Failure::kOther;
}

Failure ClassifySqlite(const soci::sqlite3_soci_error& error) {
    const int code = error.result() & 0xff;
    if (code == kSqliteBusy || code == kSqliteLocked) {
        return Failure::kConflict;
    }
    if (code == kSqliteConstraint &&
        std::string_view(error.what()).find("UNIQUE") != std::string_view::npos) {
        return Failure::kUnique;
    }
    return Failure::kOther;
}

Failure Classify(const std::exception& error) {
    if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&error)) {
        return ClassifyPostgres(*pg);
    }
    if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&error)) {
        return ClassifySqlite(*lite);
    }
    if (const auto* soci_error = dynamic_cast<const soci::soci_error*>(&error)) {
        if (soci_error->get_error_category() == soci::soci_error::connection_error) {
            return Failure::kConnection;
        }
        if (soci_error->get_error_category() == soci::soci_error::constraint_violation &&
            std::string_view(error.what()).find("UNIQUE") != std::string_view::npos) {
            return Failure::kUnique;
        }
    }
    return Failure::kOther;
}

// True when the session's PostgreSQL connection is gone (server restart, network cut). libpq
// only notices on the next use, so this is checked after every failure.
bool PostgresConnectionBad(soci::session& session) {
    // SOCI exports no typeinfo for its backend structs, so the cast is checked by name.
    if (session.get_backend() == nullptr || session.get_backend_name() != "postgresql") {
        return true;
    }
    auto* backend = static_cast<soci::postgresql_session_backend*>(session.get_backend());
    return backend == nullptr || backend->conn_ == nullptr ||
           PQstatus(backend->conn_) != CONNECTION_OK;
}

enum class Probe { kAnswered, kRefused, kSilent };

// Opens and closes one connection without blocking longer than `budget`: kAnswered when the
// server completed the handshake, kRefused when it said no (refused, bad password, too many
// clients: it is alive, and the real open reports why), kSilent when it did not answer in time.
// libpq's own connect_timeout cannot do this: it rounds anything under 2 s up to 2 s.
Probe ProbeServer(const std::string& conninfo, std::chrono::milliseconds budget) {
    const auto deadline = Clock::now() + budget;
    PGconn* conn = PQconnectStart(conninfo.c_str());
    if (conn == nullptr) {
        return Probe::kRefused;
    }
    Probe outcome = Probe::kRefused;
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    while (PQstatus(conn) != CONNECTION_BAD) {
        if (state == PGRES_POLLING_OK) {
            outcome = Probe::kAnswered;
            break;
        }
        if (state == PGRES_POLLING_FAILED) {
            break;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd wait{PQsocket(conn),
                    static_cast<short>(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
        if (left.count() <= 0 || poll(&wait, 1, static_cast<int>(left.count())) == 0) {
            outcome = Probe::kSilent;
            break;
        }
        state = PQconnectPoll(conn);
    }
    PQfinish(conn);
    return outcome;
}

}  // namespace

std::string_view DialectName(Dialect dialect) {
    return dialect == Dialect::kSqlite ? "sqlite" : "postgresql";
}

std::string LoggableMessage(std::string_view message) {
    const size_t binds = message.find(" with :");
    if (binds != std::string_view::npos) {
        message = message.substr(0, binds);
    }
    const size_t detail = message.find("DETAIL:");
    if (detail != std::string_view::npos) {
        message = message.substr(0, detail);
    }
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.remove_suffix(1);
    }
    return std::string(message);
}

scim::Error TranslateException(const std::exception& error) {
    switch (Classify(error)) {
        case Failure::kUnique:
            return {409, scim::ScimType::kUniqueness, "a resource with that unique value exists",
                    LoggableMessage(error.what())};
        case Failure::kConflict:
        case Failure::kConnection:
        case Failure::kTimeout:
            return scim::Error::Unavailable(LoggableMessage(error.what()));
        case Failure::kOther:
            break;
    }
    return scim::Error::Internal(LoggableMessage(error.what()));
}

// A fixed set of sessions shared by all threads. A slot whose connection broke is reopened when
// it is next leased, so the process recovers from a database restart without restarting.
// On PostgreSQL a watchdog thread cuts off the statements in flight when the server stops
// answering (DatabaseOptions).
class Database::Pool {
public:
    Pool(Dialect dialect,
         std::string connect_string,
         const DatabaseOptions& options,
         std::size_t size)
        : dialect_(dialect),
          connect_string_(std::move(connect_string)),
          options_(options),
          pool_(size),
          size_(size),
          broken_(size, false),
          flights_(size),
          cached_(size) {}

    ~Pool() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (watchdog_.joinable()) {
            watchdog_.join();
        }
    }

    void OpenAll() {
        for (std::size_t i = 0; i < size_; ++i) {
            Connect(pool_.at(i));
        }
        if (dialect_ == Dialect::kPostgres && options_.connect_timeout_ms > 0) {
            watchdog_ = std::thread([this] { WatchdogLoop(); });
        }
    }

    std::size_t size() const { return size_; }
    Dialect dialect() const { return dialect_; }

    // Leases a session; nullopt when none frees up within the pool wait.
    std::optional<std::size_t> Lease() {
        std::size_t pos = 0;
        if (!pool_.try_lease(pos, options_.pool_wait_ms)) {
            return std::nullopt;
        }
        return pos;
    }
    void GiveBack(std::size_t pos) { pool_.give_back(pos); }
    soci::session& At(std::size_t pos) { return pool_.at(pos); }

    // Reopens the slot's connection when it was marked broken. Throws on failure (and the slot
    // stays marked, so the next lease tries again).
    void EnsureConnected(std::size_t pos) {
        if (!IsBroken(pos)) {
            return;
        }
        soci::session& session = pool_.at(pos);
        // Prepared statements die with the server connection; dropping them on a dead one
        // frees the client side only (SOCI ignores the failed DEALLOCATE).
        cached_[pos].clear();
        session.close();
        Connect(session);
        SetBroken(pos, false);
    }

    // The slot whose session this is; the session must be one of the pool's.
    std::size_t SlotOf(const soci::session& session) {
        for (std::size_t i = 0; i < size_; ++i) {
            if (&pool_.at(i) == &session) {
                return i;
            }
        }
        throw std::logic_error("session does not belong to this database's pool");
    }

    // Only the thread that leased slot `pos` touches its entry, so no lock is needed.
    CachedQuery& Cached(std::size_t pos, const std::string& sql, std::string_view variant) {
        auto& queries = cached_[pos];
        // The SQL text alone keys the common case, so a lookup copies nothing.
        std::string with_variant;
        if (!variant.empty()) {
            with_variant.append(sql).append(1, '\0').append(variant);
        }
        const std::string& key = variant.empty() ? sql : with_variant;
        auto it = queries.find(key);
        if (it != queries.end()) {
            if (!it->second->failed()) {
                return *it->second;
            }
            queries.erase(it);  // see CachedQuery::failed
        }
        if (queries.size() >= kMaxCachedQueries) {
            queries.clear();
        }
        auto query = std::make_unique<CachedQuery>(
            pool_.at(pos), sql, options_.prepared_statements || dialect_ == Dialect::kSqlite);
        return *queries.emplace(key, std::move(query)).first->second;
    }

    // After a failure: marks the slot broken when its connection is gone. Returns true if so.
    bool CheckAfterFailure(std::size_t pos) {
        if (dialect_ != Dialect::kPostgres || !PostgresConnectionBad(pool_.at(pos))) {
            return false;
        }
        SetBroken(pos, true);
        return true;
    }

    void MarkBroken(std::size_t pos) { SetBroken(pos, true); }

    // Brackets work on a connected slot so the watchdog can see it. The socket is duplicated
    // so that cutting it off can never hit a descriptor number libpq closed and reused.
    void BeginFlight(std::size_t pos) {
        if (dialect_ != Dialect::kPostgres) {
            return;
        }
        auto* backend = static_cast<soci::postgresql_session_backend*>(pool_.at(pos).get_backend());
        const int fd =
            backend != nullptr && backend->conn_ != nullptr ? dup(PQsocket(backend->conn_)) : -1;
        std::lock_guard lock(mutex_);
        flights_[pos] = {true, false, Clock::now(), fd};
    }
    void EndFlight(std::size_t pos) {
        if (dialect_ != Dialect::kPostgres) {
            return;
        }
        std::lock_guard lock(mutex_);
        Flight& flight = flights_[pos];
        flight.busy = false;
        if (flight.fd >= 0) {
            close(flight.fd);
            flight.fd = -1;
        }
    }
    // True from the moment the server was found silent until a probe gets an answer again:
    // requests then fail at once instead of each waiting to be cut off.
    bool ServerSilent() const { return silent_.load(std::memory_order_relaxed); }

    // True when the watchdog cut the slot's last flight off because the server went silent.
    bool WasCut(std::size_t pos) {
        std::lock_guard lock(mutex_);
        return flights_[pos].cut;
    }

private:
    struct Flight {
        bool busy = false;
        bool cut = false;
        Clock::time_point since;
        int fd = -1;
    };

    std::chrono::milliseconds HalfConnectTimeout() const {
        return std::chrono::milliseconds(std::max(1, options_.connect_timeout_ms / 2));
    }

    void Connect(soci::session& session) {
        if (dialect_ == Dialect::kSqlite) {
            session.open("sqlite3", connect_string_);
            ConfigureSqlite(session);
            return;
        }
        // A server that accepts TCP but never answers would hold open() for libpq's connect
        // timeout (2 s at the least); the probe finds out within ours.
        if (options_.connect_timeout_ms > 0 &&
            ProbeServer(connect_string_, std::chrono::milliseconds(options_.connect_timeout_ms)) ==
                Probe::kSilent) {
            silent_ = true;
            throw soci::postgresql_soci_error("database server did not answer within " +
                                                  std::to_string(options_.connect_timeout_ms) +
                                                  " ms",
                                              "08001");
        }
        session.open("postgresql", connect_string_);
        if (options_.statement_timeout_ms > 0) {
            session << "SET statement_timeout = " + std::to_string(options_.statement_timeout_ms);
        }
        if (options_.lock_timeout_ms > 0) {
            session << "SET lock_timeout = " + std::to_string(options_.lock_timeout_ms);
        }
    }

    static void ConfigureSqlite(soci::session& session) {
        std::string mode;
        session << "PRAGMA journal_mode=WAL", soci::into(mode);
        session << "PRAGMA busy_timeout=" + std::to_string(kSqliteBusyTimeoutMs);
        session << "PRAGMA foreign_keys=ON";
        session << "PRAGMA synchronous=NORMAL";
    }

    // True when some statement has waited longer than `stall` (under mutex_).
    bool AnyStalled(Clock::time_point now, std::chrono::milliseconds stall) const {
        return std::any_of(flights_.begin(), flights_.end(), [&](const Flight& flight) {
            return flight.busy && !flight.cut && now - flight.since >= stall;
        });
    }

    // Cuts off every statement that started before `probe_started` (under mutex_): libpq then
    // sees the connection closed and the statement fails at once.
    void CutFlightsBefore(Clock::time_point probe_started) {
        for (Flight& flight : flights_) {
            if (flight.busy && !flight.cut && flight.since <= probe_started && flight.fd >= 0) {
                flight.cut = true;
                shutdown(flight.fd, SHUT_RDWR);
            }
        }
    }

    // A statement that waits half the connect timeout triggers a probe bounded by the other
    // half, so a silent server is noticed within the connect timeout. Probes run at most once
    // per half timeout, only while statements are that slow or the server is known silent (to
    // notice that it answers again).
    void WatchdogLoop() {
        const std::chrono::milliseconds half = HalfConnectTimeout();
        Clock::time_point last_probe{};
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            wake_.wait_for(lock, kWatchdogTick);
            const auto now = Clock::now();
            if (stopping_ || (!silent_ && !AnyStalled(now, half)) || now - last_probe < half) {
                continue;
            }
            last_probe = now;
            lock.unlock();
            const Probe probe = ProbeServer(connect_string_, half);
            lock.lock();
            silent_ = probe == Probe::kSilent;
            if (silent_) {
                CutFlightsBefore(now);
            }
        }
    }

    bool IsBroken(std::size_t pos) {
        std::lock_guard lock(mutex_);
        return broken_[pos];
    }
    void SetBroken(std::size_t pos, bool broken) {
        std::lock_guard lock(mutex_);
        broken_[pos] = broken;
    }

    Dialect dialect_;
    std::string connect_string_;
    DatabaseOptions options_;
    soci::connection_pool pool_;
    std::size_t size_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::vector<bool> broken_;
    std::vector<Flight> flights_;
    // Per slot, keyed by SQL text; declared after pool_ so the statements go before their
    // sessions.
    std::vector<std::unordered_map<std::string, std::unique_ptr<CachedQuery>>> cached_;
    std::atomic<bool> silent_{false};
    std::thread watchdog_;
};

scim::Result<std::shared_ptr<Database>> Database::Open(std::string_view url,
                                                       std::size_t pool_size) {
    DatabaseOptions options;
    options.pool_size = pool_size;
    return Open(url, options);
}

scim::Result<std::shared_ptr<Database>> Database::Open(std::string_view url,
                                                       const DatabaseOptions& options) {
    auto target = ParseDatabaseUrl(url);
    if (!target.ok()) {
        return std::move(target).error();
    }
    std::size_t size = std::max<std::size_t>(options.pool_size, 1);
    if (target->memory) {
        size = 1;
    }
    auto pool = std::make_unique<Pool>(target->dialect, target->connect_string, options, size);
    try {
        pool->OpenAll();
    } catch (const std::exception& error) {
        // The driver's message can echo the connect string; report only the redacted URL.
        scim::Error failed = TranslateException(error);
        if (failed.status == 500) {
            failed = scim::Error::Unavailable("");
        }
        failed.internal = "cannot open database " + RedactUrl(url) + ": " +
                          RedactConnectMessage(error.what(), target->secrets);
        return failed;
    }
    return std::shared_ptr<Database>(
        new Database(target->dialect, RedactUrl(url), std::move(pool)));
}

Database::Database(Dialect dialect, std::string redacted_url, std::unique_ptr<Pool> pool)
    : dialect_(dialect), redacted_url_(std::move(redacted_url)), pool_(std::move(pool)) {}

Database::~Database() = default;

std::size_t Database::pool_size() const {
    return pool_->size();
}

namespace {

// Returns a leased slot to the pool on every path out of RunErased.
class LeaseGuard {
public:
    LeaseGuard(std::function<void()> give_back) : give_back_(std::move(give_back)) {}
    ~LeaseGuard() { give_back_(); }
    LeaseGuard(const LeaseGuard&) = delete;
    LeaseGuard& operator=(const LeaseGuard&) = delete;

private:
    std::function<void()> give_back_;
};

}  // namespace

// Keeps a slot visible to the watchdog while work runs on it.
class Database::FlightGuard {
public:
    FlightGuard(Pool& pool, std::size_t pos) : pool_(pool), pos_(pos) { pool_.BeginFlight(pos_); }
    ~FlightGuard() { pool_.EndFlight(pos_); }
    FlightGuard(const FlightGuard&) = delete;
    FlightGuard& operator=(const FlightGuard&) = delete;

private:
    Pool& pool_;
    std::size_t pos_;
};

namespace {

void RollbackQuietly(soci::session& session) {
    try {
        session << "ROLLBACK";
    } catch (const std::exception&) {
        // The transaction is gone with the connection, or was never started: nothing to undo.
    }
}

}  // namespace

scim::Status Database::RunErased(bool transactional,
                                 const std::function<scim::Status(soci::session&)>& fn) {
    if (pool_->ServerSilent()) {
        return scim::Error::Unavailable("database server is not answering");
    }
    std::optional<std::size_t> pos = pool_->Lease();
    if (!pos) {
        return scim::Error::Unavailable("no database session became free in time");
    }
    in_use_.fetch_add(1, std::memory_order_relaxed);
    LeaseGuard guard([this, p = *pos] {
        pool_->GiveBack(p);
        in_use_.fetch_sub(1, std::memory_order_relaxed);
    });
    soci::session& session = pool_->At(*pos);

    bool reconnected = false;
    const auto started = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        bool committing = false;
        try {
            pool_->EnsureConnected(*pos);
            FlightGuard flight(*pool_, *pos);
            if (transactional) {
                session << (dialect_ == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
            }
            scim::Status result = fn(session);
            if (transactional) {
                if (!result.ok()) {
                    RollbackQuietly(session);
                    return result;
                }
                committing = true;
                session << "COMMIT";
            }
            return result;
        } catch (const std::exception& error) {
            if (transactional && !committing) {
                RollbackQuietly(session);
            }
            const Failure failure = Classify(error);
            if (pool_->WasCut(*pos)) {
                // The server went silent: reconnecting now would only wait again.
                pool_->MarkBroken(*pos);
                return scim::Error::Unavailable(
                    "database server stopped answering; statement "
                    "cut off");
            }
            const bool lost = pool_->CheckAfterFailure(*pos) || failure == Failure::kConnection;
            if (lost) {
                pool_->MarkBroken(*pos);
                // A lost connection aborts the open transaction on the server, so the work can
                // be redone on a fresh connection, once; a lost COMMIT has an unknown outcome.
                if (!reconnected && !committing) {
                    reconnected = true;
                    continue;
                }
                return scim::Error::Unavailable(LoggableMessage(error.what()));
            }
            const bool in_budget =
                std::chrono::steady_clock::now() - started < kConflictRetryBudget;
            if (failure == Failure::kConflict && transactional && attempt < kMaxConflictAttempts &&
                in_budget) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
                continue;
            }
            return TranslateException(error);
        }
    }
}

CachedQuery& Database::Cached(soci::session& session,
                              const std::string& sql,
                              std::string_view variant) {
    return pool_->Cached(pool_->SlotOf(session), sql, variant);
}

bool Database::Ping() {
    scim::Status status = WithSession([](soci::session& session) -> scim::Status {
        int one = 0;
        session << "SELECT 1", soci::into(one);
        return scim::Ok{};
    });
    return status.ok();
}

}  // namespace db
