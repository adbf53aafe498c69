#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "scim/http/api.h"
#include "scim/result.h"

namespace Pistache::Http {
class Endpoint;
}

// Pistache glue: owns the listening endpoint and feeds each request to an Api.
//
// Pistache 0.0.5 quirks handled here:
// - its request size limit covers line + headers + body, so it is set to the body limit plus
//   kHeaderRoom and the Api answers an oversized body with a SCIM 413;
// - it answers HTTP/1.1 requests without a Connection header with "Connection: Close" while
//   keeping the socket open, so clients reconnect every time; we replace the header;
// - handlers run on the reactor threads and database calls block, so the thread count, not the
//   core count, bounds concurrency: use several threads per core and a matching DB pool;
// - its shutdown drops in-flight responses, so Shutdown drains first.
// Not handled: `Expect: 100-continue` is never answered (clients wait about 1 s, then send).
namespace scim::http {

struct ServerOptions {
    std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal
    std::uint16_t port = 8080;       // 0 picks a free port; see Server::Port
    int threads = 8;
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::seconds drain_timeout{15};
};

inline constexpr std::size_t kHeaderRoom = 64 * 1024;

class Server {
public:
    // `api` must outlive the server.
    Server(Api& api, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts serving on background threads. Fails (500-style Error, message in
    // `internal`) when the address cannot be bound.
    Status Start();

    // The bound port (the real one when ServerOptions::port was 0). Valid after Start.
    std::uint16_t Port() const;

    // Stops accepting work: new requests get 503 while the ones in flight finish (up to
    // drain_timeout), then the endpoint closes. Idempotent.
    void Shutdown();

private:
    class Handler;
    struct State {
        Api* api;
        std::atomic<int> in_flight{0};
        std::atomic<bool> draining{false};
    };

    ServerOptions options_;
    std::shared_ptr<State> state_;
    std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
    bool running_ = false;
};

}  // namespace scim::http
