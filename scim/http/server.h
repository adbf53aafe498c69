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
// - its request size limit covers line + headers + body and answers with a plain-text 413, so it
//   is set to PistacheRequestLimit (twice the body limit plus kHeaderRoom): any body up to twice
//   the limit reaches the Api, which answers with a SCIM 413; only larger ones get Pistache's;
// - it answers HTTP/1.1 requests without a Connection header with "Connection: Close" while
//   keeping the socket open, so clients reconnect every time; we replace the header;
// - handlers run on the reactor threads and database calls block, so the thread count, not the
//   core count, bounds concurrency: use several threads per core and a matching DB pool;
// - its shutdown drops in-flight responses, so Shutdown drains first.
// - its header and body timeouts default to a minute and its keep-alive timeout to five, so a
//   slow or idle client holds a connection and its buffers that long; ServerOptions sets them;
// - it would send the rendered body in a response to HEAD; Send drops it.
// Not handled: `Expect: 100-continue` is never answered (clients wait about 1 s, then send), and
// HEAD is answered 405 with Allow like any method a route lacks.
namespace scim::http {

struct ServerOptions {
    std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal
    std::uint16_t port = 8080;       // 0 picks a free port; see Server::Port
    int threads = 8;
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::seconds drain_timeout{15};
    // Request line and headers must arrive within header_timeout of the first byte, the body
    // within body_timeout; an idle keep-alive connection closes after keepalive_timeout (keep it
    // longer than a load balancer's idle timeout, so the balancer closes first).
    std::chrono::milliseconds header_timeout{std::chrono::seconds(5)};
    std::chrono::milliseconds body_timeout{std::chrono::seconds(30)};
    std::chrono::milliseconds keepalive_timeout{std::chrono::seconds(75)};
};

inline constexpr std::size_t kHeaderRoom = 64 * 1024;

// The largest request (line + headers + body) Pistache reads before answering a plain-text 413
// itself: bodies up to twice the body limit still reach the Api and get a SCIM 413.
constexpr std::size_t PistacheRequestLimit(std::size_t max_body_bytes) {
    return 2 * max_body_bytes + kHeaderRoom;
}

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
