#pragma once

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

// Child processes for the end-to-end harness: run scimctl to completion, run scimd until told
// to stop. POSIX only.
namespace scim::http::testing {

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
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string url_;
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

}  // namespace detail

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
    return result;
}

inline ServerProcess::~ServerProcess() {
    Stop();
}

inline bool ServerProcess::Start(const std::vector<std::string>& argv,
                                 const std::string& log_path,
                                 int timeout_seconds,
                                 std::string& error) {
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
    close(stdout_fd_);
    pid_ = -1;
    return code;
}

}  // namespace scim::http::testing
