#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

// A raw HTTP/1.1 client for requests curl will not send (broken framing, unknown methods) and for
// watching how a connection ends.
namespace scim::http::testing {

// One TCP connection to 127.0.0.1 that sends bytes and reads whole responses.
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~RawConnection() { close(fd_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    bool connected() const { return connected_; }

    void Send(const std::string& bytes) {
        ASSERT_EQ(send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(bytes.size()));
    }

    // Reads until `buffer_` holds a full response head and the Content-Length it declares (no
    // body when `head` is set), or the timeout passes. Returns that response, removed from the
    // buffer; empty on timeout or end of stream.
    std::string ReadResponse(bool head = false, int timeout_ms = 2000) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (true) {
            std::size_t end = buffer_.find("\r\n\r\n");
            if (end != std::string::npos) {
                std::size_t total = end + 4 + (head ? 0 : DeclaredLength(buffer_.substr(0, end)));
                if (buffer_.size() >= total) {
                    std::string response = buffer_.substr(0, total);
                    buffer_.erase(0, total);
                    return response;
                }
            }
            if (!Fill(deadline)) {
                return "";
            }
        }
    }

    // True when the server ends the connection (EOF) within `timeout_ms` without sending more.
    bool EndsWithin(int timeout_ms) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        std::size_t before = buffer_.size();
        while (Fill(deadline)) {
        }
        return eof_ && buffer_.size() == before;
    }

    // True when nothing arrives and the connection stays open for `ms`.
    bool QuietFor(int ms) {
        std::size_t before = buffer_.size();
        Fill(std::chrono::steady_clock::now() + std::chrono::milliseconds(ms));
        return !eof_ && buffer_.size() == before;
    }

private:
    static std::size_t DeclaredLength(const std::string& head) {
        std::size_t at = head.find("Content-Length: ");
        return at == std::string::npos ? 0 : std::stoul(head.substr(at + 16));
    }

    // Reads what arrives before `deadline`; false on timeout or end of stream.
    bool Fill(std::chrono::steady_clock::time_point deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd poll_fd{fd_, POLLIN, 0};
        if (left.count() <= 0 || poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) {
            return false;
        }
        char chunk[65536];
        ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
        if (got <= 0) {
            eof_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(got));
        return true;
    }

    int fd_ = -1;
    bool connected_ = false;
    bool eof_ = false;
    std::string buffer_;
};

// The status code of a response read by RawConnection, 0 when there is none.
inline int StatusOf(const std::string& response) {
    return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0;
}

inline std::string BodyOf(const std::string& response) {
    std::size_t end = response.find("\r\n\r\n");
    return end == std::string::npos ? "" : response.substr(end + 4);
}

}  // namespace scim::http::testing
