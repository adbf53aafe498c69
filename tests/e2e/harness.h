#pragma once

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <curl/curl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <pwd.h>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/curl_client.h"
#include "http/process.h"

// Pieces shared by the end-to-end concurrency and fault tests: they run the real scimd and
// scimctl from this build tree (as tests/http/conformance_test.cc does), a private PostgreSQL
// when a test must stop and start the database itself, and many HTTP clients at once. Every
// server is started on 127.0.0.1 by the test and stopped by the test.
namespace scim::e2e {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using http::testing::BinaryDir;
using http::testing::ClientResponse;
using http::testing::CurlClient;
using http::testing::LastLine;
using http::testing::RunResult;
using http::testing::RunToCompletion;
using http::testing::ServerProcess;
using Clock = std::chrono::steady_clock;

inline std::string EnvOr(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

inline double MillisSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// libcurl's global state must be set up once before threads create handles.
inline void InitCurlOnce() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A fresh directory under the system temp dir, removed when the test passed.
class WorkDir {
public:
    explicit WorkDir(const std::string& name) {
        path_ = fs::temp_directory_path() / ("scimd-e2e-" + std::to_string(getpid()) + "-" + name);
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~WorkDir() {
        if (!::testing::Test::HasFailure()) {
            std::error_code ignored;
            fs::remove_all(path_, ignored);
        }
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;

    const fs::path& path() const { return path_; }
    std::string File(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

// The last `count` lines of a log file, for failure messages.
inline std::string Tail(const std::string& log, std::size_t count = 20) {
    std::ifstream file(log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(file, line);) {
        lines.push_back(line);
    }
    std::string out = "--- last lines of " + log + " ---\n";
    for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
        out += lines[i] + "\n";
    }
    return out;
}

// Runs scimctl on `db_url`; returns its last output line, "" (with a test failure) on error.
inline std::string Ctl(const std::string& db_url,
                       std::vector<std::string> args,
                       const std::string& log) {
    args.insert(args.begin(), {(BinaryDir() / "scimctl").string(), "--db", db_url});
    RunResult result = RunToCompletion(args, log);
    EXPECT_EQ(result.exit_code, 0) << "scimctl failed\n" << Tail(log);
    return result.exit_code == 0 ? LastLine(result.out) : "";
}

// Creates an organization and returns a SCIM token for it.
inline std::string MintOrgToken(const std::string& db_url,
                                const std::string& org_name,
                                const std::string& log) {
    std::string org_id = Ctl(db_url, {"org", "create", org_name}, log);
    return Ctl(db_url, {"token", "create", "--org", org_id, "--name", "e2e"}, log);
}

// Starts scimd on 127.0.0.1 with a free port; fails the test when it does not come up.
inline void StartScimd(ServerProcess& server,
                       const std::string& db_url,
                       const std::string& log,
                       int threads = 8) {
    std::string error;
    const std::string count = std::to_string(threads);
    ASSERT_TRUE(server.Start({(BinaryDir() / "scimd").string(), "--db", db_url, "--listen",
                              "127.0.0.1:0", "--threads", count, "--pool", count},
                             log, 30, error))
        << error << "\n"
        << Tail(log);
}

// One SCIM client of one server: a curl handle with the token and content type set.
class ScimClient {
public:
    ScimClient(std::string base, std::string token)
        : base_(std::move(base)), token_(std::move(token)) {
        InitCurlOnce();
    }

    ClientResponse Send(const std::string& method,
                        const std::string& path,
                        const Json* body = nullptr) {
        http::HeaderList headers{{"Authorization", "Bearer " + token_}};
        std::string text;
        if (body != nullptr) {
            headers.emplace_back("Content-Type", "application/scim+json");
            text = body->dump();
        }
        return curl_.Send(method, base_ + path, headers, body != nullptr ? &text : nullptr);
    }
    ClientResponse Get(const std::string& path) { return Send("GET", path); }
    ClientResponse Post(const std::string& path, const Json& body) {
        return Send("POST", path, &body);
    }
    ClientResponse Patch(const std::string& path, const Json& body) {
        return Send("PATCH", path, &body);
    }
    // A path relative to the server root rather than /scim/v2 (for /readyz).
    ClientResponse GetRoot(const std::string& path) {
        std::string root = base_.substr(0, base_.rfind("/scim/v2"));
        return curl_.Send("GET", root + path);
    }

private:
    std::string base_;
    std::string token_;
    CurlClient curl_;
};

inline Json ParseBody(const ClientResponse& response) {
    return Json::parse(response.body, nullptr, false);
}

inline Json NewUser(const std::string& user_name) {
    return {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}}, {"userName", user_name}};
}

inline Json PatchOps(Json operations) {
    return {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
            {"Operations", std::move(operations)}};
}

// True when `response` is a SCIM error (RFC 7644 §3.12) carrying `status` in its body too.
inline bool IsScimError(const ClientResponse& response, long status) {
    Json body = ParseBody(response);
    if (response.status != status || !body.is_object() || !body.contains("schemas")) {
        return false;
    }
    bool error_schema = false;
    for (const auto& urn : body["schemas"]) {
        error_schema = error_schema || urn == "urn:ietf:params:scim:api:messages:2.0:Error";
    }
    return error_schema && body.value("status", "") == std::to_string(status);
}

// How many responses had each HTTP status (0: transport failure), collected from many threads.
class StatusTally {
public:
    void Add(const ClientResponse& response) {
        std::lock_guard lock(mu_);
        ++counts_[response.status];
        if (response.status >= 500 || response.status == 0) {
            failures_.push_back(std::to_string(response.status) + " " + response.body +
                                response.error);
        }
    }
    int Count(long status) const {
        std::lock_guard lock(mu_);
        auto it = counts_.find(status);
        return it == counts_.end() ? 0 : it->second;
    }
    int Total() const {
        std::lock_guard lock(mu_);
        int total = 0;
        for (const auto& [status, count] : counts_) {
            total += count;
        }
        return total;
    }
    // "201x1 409x63": for test logs.
    std::string Summary() const {
        std::lock_guard lock(mu_);
        std::string out;
        for (const auto& [status, count] : counts_) {
            out += (out.empty() ? "" : " ") + std::to_string(status) + "x" + std::to_string(count);
        }
        return out;
    }
    // The summary and the first few 5xx or transport failures, for failure messages.
    std::string Details() const {
        std::string out = Summary();
        std::lock_guard lock(mu_);
        for (std::size_t i = 0; i < failures_.size() && i < 3; ++i) {
            out += "\n  " + failures_[i];
        }
        return out;
    }

private:
    mutable std::mutex mu_;
    std::map<long, int> counts_;
    std::vector<std::string> failures_;
};

// Runs fn(0..count-1) on `count` threads released together, so the requests really overlap.
inline void RunTogether(int count, const std::function<void(int)>& fn) {
    InitCurlOnce();
    std::latch start(count);
    std::vector<std::thread> threads;
    threads.reserve(count);
    for (int i = 0; i < count; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            fn(i);
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
}

// A PostgreSQL 15 cluster owned by one test: its own data dir, socket dir and loopback port, so
// the test may stop (even with -m immediate) and start it. As root the server runs as the
// `postgres` user, since initdb refuses root. Stopped by pg_ctl on its data dir.
class PrivatePostgres {
public:
    static constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

    static bool Available() { return fs::exists(fs::path(kBin) / "initdb"); }

    ~PrivatePostgres() {
        if (initialized_) {
            Stop("fast");
        }
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // initdb plus the first start; false (with `error`) when either fails.
    bool Create(std::string& error) {
        char name[] = "/tmp/scimd-e2e-pg.XXXXXX";
        if (mkdtemp(name) == nullptr) {
            error = "mkdtemp failed";
            return false;
        }
        dir_ = name;
        if (geteuid() == 0) {
            const passwd* pg = getpwnam("postgres");
            if (pg == nullptr || chown(name, pg->pw_uid, pg->pw_gid) != 0) {
                error = "cannot hand the data directory to the postgres user";
                return false;
            }
        }
        RunResult init = Run({Tool("initdb"), "-D", DataDir(), "-U", "scim", "-A", "trust", "-E",
                              "UTF8", "--locale=C.UTF-8", "--no-sync"});
        if (init.exit_code != 0) {
            error = "initdb failed:\n" + Tail(Log());
            return false;
        }
        initialized_ = true;
        std::mt19937 random(std::random_device{}());
        for (int attempt = 0; attempt < 6; ++attempt) {
            // Below Linux's ephemeral range (32768+), so no outgoing connection holds the port.
            port_ = 20000 + static_cast<int>(random() % 12000);
            if (Start()) {
                return true;
            }
        }
        error = "PostgreSQL did not start:\n" + Tail(Log());
        return false;
    }

    // pg_ctl start on the same port; waits until it accepts connections.
    bool Start() {
        // fsync=off: the cluster is disposable and the machine does not crash during the test.
        // synchronous_commit stays on (the default): with it off, a commit can be acknowledged
        // before its WAL leaves PostgreSQL's shared memory, and an immediate stop would lose it.
        const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                                    " -k " + dir_.string() +
                                    " -c fsync=off -c full_page_writes=off -c max_connections=100";
        return Run({Tool("pg_ctl"), "-D", DataDir(), "-l", Log(), "-w", "-t", "30", "-o", options,
                    "start"})
                   .exit_code == 0;
    }

    // pg_ctl stop with the given mode ("immediate" drops every connection at once and skips the
    // shutdown checkpoint, as a crash of the server process would).
    bool Stop(const std::string& mode) {
        return Run({Tool("pg_ctl"), "-D", DataDir(), "-m", mode, "-w", "-t", "30", "stop"})
                   .exit_code == 0;
    }

    std::string Url() const {
        return "postgresql://scim@127.0.0.1:" + std::to_string(port_) + "/postgres";
    }
    std::string Log() const { return (dir_ / "server.log").string(); }

    // Sends `signal` to the postmaster and every process it started (backends, background
    // workers). SIGSTOP freezes the whole server the way a hung machine would: connections stay
    // open and nothing answers; SIGCONT thaws it. False when the postmaster is not running.
    bool SignalServer(int signal) const {
        std::ifstream pid_file(DataDir() + "/postmaster.pid");
        long postmaster = 0;
        if (!(pid_file >> postmaster) || postmaster <= 0) {
            return false;
        }
        std::vector<long> pids{postmaster};
        std::error_code ignored;
        for (const auto& entry : fs::directory_iterator("/proc", ignored)) {
            std::ifstream stat(entry.path() / "stat");
            std::string line;
            if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) {
                continue;
            }
            // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
            std::istringstream rest(line.substr(line.rfind(')') + 1));
            std::string state;
            long parent = 0;
            if (rest >> state >> parent && parent == postmaster) {
                pids.push_back(std::stol(entry.path().filename().string()));
            }
        }
        for (long pid : pids) {
            kill(static_cast<pid_t>(pid), signal);
        }
        return true;
    }

private:
    static std::string Tool(const char* name) { return (fs::path(kBin) / name).string(); }
    std::string DataDir() const { return (dir_ / "data").string(); }

    RunResult Run(std::vector<std::string> argv) const {
        if (geteuid() == 0) {
            argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
        }
        return RunToCompletion(argv, (dir_ / "ctl.log").string());
    }

    fs::path dir_;
    int port_ = 0;
    bool initialized_ = false;
};

}  // namespace scim::e2e
