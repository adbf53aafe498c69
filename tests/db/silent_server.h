#pragma once

#include <arpa/inet.h>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

// Test doubles for a database server that stops answering, on 127.0.0.1 in the test process.
namespace db_test {

// Listens on an ephemeral port and never answers: the kernel completes each TCP handshake from
// the listen backlog, so a client connects and then waits for bytes that never come.
class SilentListener {
public:
    SilentListener() {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        listen(fd_, 64);
        socklen_t len = sizeof addr;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~SilentListener() { close(fd_); }
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;

    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

// Relays TCP connections from an ephemeral port to 127.0.0.1:`target_port` until Freeze():
// from then on it relays nothing and answers no new connection, like a frozen server process
// whose kernel still accepts TCP. Thaw() resumes; connections opened meanwhile stay dead.
class FreezableProxy {
public:
    explicit FreezableProxy(int target_port) : target_port_(target_port) {
        thread_ = std::thread([this] { Loop(); });
    }
    ~FreezableProxy() {
        stop_ = true;
        thread_.join();
        for (const Pair& pair : pairs_) {
            close(pair.client);
            close(pair.server);
        }
        close(listen_fd_);
    }
    FreezableProxy(const FreezableProxy&) = delete;
    FreezableProxy& operator=(const FreezableProxy&) = delete;

    int port() const { return listener_port_; }
    void Freeze() { frozen_ = true; }
    void Thaw() { frozen_ = false; }

private:
    struct Pair {
        int client;
        int server;
    };

    static int ListenOnEphemeral(int& port) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        listen(fd, 64);
        socklen_t len = sizeof addr;
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
        return fd;
    }

    int Dial() const {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(target_port_));
        if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            close(fd);
            return -1;
        }
        return fd;
    }

    // Copies what is readable from `from` to `to`; false when `from` closed.
    static bool Pump(int from, int to) {
        char buffer[16384];
        ssize_t n = read(from, buffer, sizeof buffer);
        if (n <= 0) {
            return false;
        }
        for (ssize_t sent = 0; sent < n;) {
            ssize_t w = write(to, buffer + sent, static_cast<std::size_t>(n - sent));
            if (w <= 0) {
                return false;
            }
            sent += w;
        }
        return true;
    }

    void Loop() {
        while (!stop_) {
            if (frozen_) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                continue;
            }
            std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
            for (const Pair& pair : pairs_) {
                fds.push_back({pair.client, POLLIN, 0});
                fds.push_back({pair.server, POLLIN, 0});
            }
            if (poll(fds.data(), fds.size(), 10) <= 0 || frozen_) {
                continue;
            }
            if (fds[0].revents & POLLIN) {
                int client = accept(listen_fd_, nullptr, nullptr);
                int server = Dial();
                if (client >= 0 && server >= 0) {
                    pairs_.push_back({client, server});
                } else {
                    close(client);
                    close(server);
                }
            }
            std::vector<Pair> alive;
            for (std::size_t i = 0; 2 * i + 2 < fds.size(); ++i) {
                const Pair pair = pairs_[i];
                bool open = true;
                if (fds[2 * i + 1].revents & (POLLIN | POLLHUP | POLLERR)) {
                    open = Pump(pair.client, pair.server);
                }
                if (open && (fds[2 * i + 2].revents & (POLLIN | POLLHUP | POLLERR))) {
                    open = Pump(pair.server, pair.client);
                }
                if (open) {
                    alive.push_back(pair);
                } else {
                    close(pair.client);
                    close(pair.server);
                }
            }
            for (std::size_t i = (fds.size() - 1) / 2; i < pairs_.size(); ++i) {
                alive.push_back(pairs_[i]);  // accepted in this round
            }
            pairs_ = std::move(alive);
        }
    }

    int target_port_;
    int listener_port_ = 0;
    int listen_fd_ = ListenOnEphemeral(listener_port_);
    std::atomic<bool> frozen_{false};
    std::atomic<bool> stop_{false};
    std::vector<Pair> pairs_;
    std::thread thread_;
};

}  // namespace db_test
