#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <regex>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

// Child processes for the end-to-end harness: run scimctl to completion, run scimd until told
// to stop. POSIX only.
//
// Every log of a scimd these helpers stop is copied into the test log directory, and every
// credential scimctl prints is appended to its secrets list, so that scripts/check-log-secrets
// can prove after the whole run that no secret reached any server log.
namespace scim::http::testing {

// The shared test log directory: $SCIMD_TEST_LOG_DIR, else test-logs/ in the build tree.
// Created on first use.
std::string TestLogDir();

// Appends `secret` (a token, admin key or rotated secret a test minted) to the secrets list in
// TestLogDir(), one per line. Safe from several test processes at once (O_APPEND, one write).
void RecordSecret(const std::string& secret);

// Records every credential-shaped string in `text` (see auth/token.h for the format).
void RecordSecretsIn(const std::string& text);

// Copies the file at `log_path` into TestLogDir() under a name unique to this process.
void KeepLog(const std::string& log_path, const std::string& suffix = "");

// Writes log lines captured in memory (an in-process log sink) into TestLogDir() as `name`.
void KeepLogLines(const std::vector<std::string>& lines, const std::string& name);

// Where this build's scimd and scimctl are: $SCIMD_BIN_DIR, else the build tree the test was
// compiled in (SCIMD_BINARY_DIR, defined by CMake for the test targets).
inline std::filesystem::path BinaryDir() {
    const char* dir = std::getenv("SCIMD_BIN_DIR");
    return dir != nullptr && *dir != '\0' ? std::filesystem::path(dir)
                                          : std::filesystem::path(SCIMD_BINARY_DIR);
}

// The last line of a program's output without its line end: what scimctl prints last (an id or
// a secret).
inline std::string LastLine(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    auto newline = text.rfind('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
}

struct RunResult {
    int exit_code = -1;
    std::string out;  // stdout
};

// Runs `argv` to completion with stderr appended to `log_path`; returns its exit code and stdout.
RunResult RunToCompletion(const std::vector<std::string>& argv, const std::string& log_path);

// A running scimd. Start waits for its "scimd listening on URL" line.
class ServerProcess {
public:
    ~ServerProcess();

    // Starts `argv` with stderr appended to `log_path`; false (with `error` set) when the line
    // does not appear within `timeout_seconds` or the process exits first.
    bool Start(const std::vector<std::string>& argv,
               const std::string& log_path,
               int timeout_seconds,
               std::string& error);

    const std::string& url() const { return url_; }

    // SIGTERM, then waits up to `timeout_seconds` (SIGKILL after). Returns the exit code, or -1
    // when it had to be killed or died from a signal.
    int Stop(int timeout_seconds = 20);

private:
    // After the process ended: copies its stderr log and its whole stdout into TestLogDir().
    void KeepOutput();

    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string url_;
    std::string log_path_;
    std::string stdout_seen_;  // what scimd printed on stdout up to its listening line
};

namespace detail {

// Forks and execs `argv` with stdout on a pipe (returned through `out_fd`) and stderr appended to
// `log_path`.
inline pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path, int& out_fd) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(pipe_fds[1], STDOUT_FILENO);
        if (log >= 0) {
            dup2(log, STDERR_FILENO);
        }
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        std::vector<char*> args;
        for (const auto& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    out_fd = pipe_fds[0];
    return pid;
}

inline int ExitCodeOf(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string ProcessUniqueName(const std::string& base) {
    static std::atomic<int> counter{0};
    return std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" + base;
}

}  // namespace detail

inline std::string TestLogDir() {
    const char* env = std::getenv("SCIMD_TEST_LOG_DIR");
#ifdef SCIMD_BINARY_DIR
    std::filesystem::path dir = std::filesystem::path(SCIMD_BINARY_DIR) / "test-logs";
#else
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "scimd-test-logs";
#endif
    if (env != nullptr && *env != '\0') {
        dir = env;
    }
    std::error_code ignored;
    std::filesystem::create_directories(dir, ignored);
    return dir.string();
}

inline void RecordSecret(const std::string& secret) {
    if (secret.empty()) {
        return;
    }
    const std::string path = TestLogDir() + "/secrets.list";
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) {
        return;
    }
    const std::string line = secret + "\n";
    [[maybe_unused]] ssize_t written = write(fd, line.data(), line.size());
    close(fd);
}

inline void RecordSecretsIn(const std::string& text) {
    static const std::regex kToken("scimd_(osat|wsat|akey)_[A-Za-z0-9-]{1,64}_[A-Za-z0-9]{34}");
    for (std::sregex_iterator it(text.begin(), text.end(), kToken), end; it != end; ++it) {
        RecordSecret(it->str());
    }
}

inline void KeepLog(const std::string& log_path, const std::string& suffix) {
    namespace fs = std::filesystem;
    const std::string name = fs::path(log_path).filename().string() + suffix;
    std::error_code ignored;
    fs::copy_file(log_path, fs::path(TestLogDir()) / detail::ProcessUniqueName(name),
                  fs::copy_options::overwrite_existing, ignored);
}

inline void KeepLogLines(const std::vector<std::string>& lines, const std::string& name) {
    std::ofstream out(TestLogDir() + "/" + detail::ProcessUniqueName(name));
    for (const std::string& line : lines) {
        out << line << "\n";
    }
}

inline RunResult RunToCompletion(const std::vector<std::string>& argv,
                                 const std::string& log_path) {
    RunResult result;
    int fd = -1;
    pid_t pid = detail::Spawn(argv, log_path, fd);
    if (pid < 0) {
        return result;
    }
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        result.out.append(buffer, static_cast<std::size_t>(n));
    }
    close(fd);
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = detail::ExitCodeOf(status);
    RecordSecretsIn(result.out);
    return result;
}

inline ServerProcess::~ServerProcess() {
    Stop();
}

inline bool ServerProcess::Start(const std::vector<std::string>& argv,
                                 const std::string& log_path,
                                 int timeout_seconds,
                                 std::string& error) {
    log_path_ = log_path;
    pid_ = detail::Spawn(argv, log_path, stdout_fd_);
    if (pid_ < 0) {
        error = "fork failed";
        return false;
    }
    const std::string marker = "scimd listening on ";
    std::string seen;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd pfd{stdout_fd_, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        char buffer[512];
        ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
        if (n <= 0) {
            error = "scimd exited before it was ready (see its log)";
            return false;
        }
        seen.append(buffer, static_cast<std::size_t>(n));
        stdout_seen_ = seen;
        auto at = seen.find(marker);
        auto end = at == std::string::npos ? at : seen.find('\n', at);
        if (end != std::string::npos) {
            url_ = seen.substr(at + marker.size(), end - at - marker.size());
            return true;
        }
    }
    error = "scimd printed no listening line within " + std::to_string(timeout_seconds) + " s";
    return false;
}

inline int ServerProcess::Stop(int timeout_seconds) {
    if (pid_ <= 0) {
        return -1;
    }
    kill(pid_, SIGTERM);
    int status = 0;
    int code = -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (true) {
        pid_t done = waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            code = detail::ExitCodeOf(status);
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    KeepOutput();
    pid_ = -1;
    return code;
}

inline void ServerProcess::KeepOutput() {
    std::string out = stdout_seen_;
    char buffer[4096];
    ssize_t n;
    // The process has exited, so the pipe ends in EOF once what it wrote is read.
    while ((n = read(stdout_fd_, buffer, sizeof buffer)) > 0) {
        out.append(buffer, static_cast<std::size_t>(n));
    }
    close(stdout_fd_);
    stdout_fd_ = -1;
    KeepLog(log_path_);
    const std::string copy = TestLogDir() + "/" + detail::ProcessUniqueName("scimd.stdout");
    std::ofstream(copy) << out;
}

}  // namespace scim::http::testing
