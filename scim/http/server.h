#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "scim/error.h"
#include "scim/http/api.h"
#include "scim/result.h"

namespace Pistache::Http {
class Endpoint;
}

// Pistache glue: owns the listening endpoint and feeds each request to an Api.
//
// Pistache 0.0.5 parses requests, but its own handling of what it cannot parse, and of how a
// connection ends, falls short, so the handler replaces the library's input step and writes
// responses itself:
// - the request head (line and headers) is checked before Pistache reads the body: a malformed
//   request line, a missing or repeated Host, a repeated Authorization, a malformed or
//   duplicated Content-Length, Content-Length with Transfer-Encoding, a body over the limit,
//   an unknown method or Expect value get a SCIM error (Pistache would throw, answer a plain-text
//   500 or 400, and log nothing); so does anything its parser still rejects (an unparsable
//   Content-Type). Each is logged and counted through Api::Reject, and the connection closes,
//   since the rest of that request cannot be framed (RFC 9112 §6.3);
// - `Expect: 100-continue` gets "100 Continue" as soon as the head is in (RFC 9110 §10.1.1);
//   Pistache never answers it, and clients wait about a second before sending the body;
// - a response with "Connection: close" (asked for, HTTP/1.0 without keep-alive, or draining)
//   is followed by the end of the connection; Pistache said close but kept the socket open;
// - its request size limit covers line + headers + body, so it is set to PistacheRequestLimit;
//   Content-Length bodies over the body limit are refused from the head, chunked ones reach
//   the Api, which answers 413, up to twice the limit;
// - handlers run on the reactor threads and database calls block, so the thread count, not the
//   core count, bounds concurrency: use several threads per core and a matching DB pool;
// - its shutdown drops in-flight responses, so Shutdown drains first: requests being received
//   or handled when it starts are answered, new ones get 503 with Retry-After;
// - its header and body timeouts default to a minute and its keep-alive timeout to five, so a
//   slow or idle client holds a connection and its buffers that long; and when they expire it
//   writes an empty 408 itself, which is neither logged nor counted. So the server keeps its own
//   deadline per request (ServerOptions::header_timeout from the first byte, body_timeout from
//   the end of the head) and a watchdog thread answers an overdue request with a SCIM 408
//   through Api::Reject, then ends the connection. Pistache's timeouts stay set, later than
//   ours (PistacheTimeout), as a backstop; an idle keep-alive connection is still closed by
//   Pistache, without a response. Pistache counts that idle time from its parser's last reset,
//   not from the last response, so the parser is reset again when a response is queued: a
//   request handled for longer than the keep-alive timeout is answered, then waits anew.
namespace scim::http {

struct ServerOptions {
    std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal
    std::uint16_t port = 8080;       // 0 picks a free port; see Server::Port
    int threads = 8;
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::seconds drain_timeout{15};
    // Request line and headers must arrive within header_timeout of the first byte, the body
    // within body_timeout of the end of the head, or the request gets a SCIM 408 (up to 100 ms
    // late) and the connection ends. An idle keep-alive connection closes, without a response,
    // after keepalive_timeout (keep it longer than a load balancer's idle timeout, so the
    // balancer closes first). Timeouts are positive.
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

// The timeout Pistache is given for one of ours: late enough that the watchdog, which looks
// every 100 ms at most, always answers first.
constexpr std::chrono::milliseconds PistacheTimeout(std::chrono::milliseconds ours) {
    return ours + std::max(ours / 2, std::chrono::milliseconds(1000));
}

// Seconds a client is told to wait after a 503 (RFC 9110 §10.2.3).
inline constexpr int kRetryAfterSeconds = 5;

// What the server checks in a request head (request line and header fields, without the final
// empty line) before the body is read.
struct HeadCheck {
    std::string method;          // the request-line method token when it is a sane token, else ""
    std::optional<Error> error;  // why the request is refused; the connection then closes
    bool expects_continue = false;  // HTTP/1.1 with `Expect: 100-continue`
};

// RFC 9112 §3: a request line that is not `method SP target SP HTTP/d.d` is a 400. RFC 9112
// §3.2: an HTTP/1.1 request without Host, any request with several Host lines or an invalid Host
// value is a 400 (HTTP/1.0 may omit Host). RFC 9110 §5.3: several Authorization lines are a 400.
// RFC 9112 §6.3: Content-Length must be one decimal number (repeats must agree) and must not
// come with Transfer-Encoding; only chunked transfer coding is supported (else 501); a declared
// body over `max_body_bytes` is a 413 before it is sent. RFC 9110 §9.1: a method the server does
// not know is a 501. RFC 9110 §10.1.1: an Expect other than 100-continue is a 417.
HeadCheck CheckRequestHead(std::string_view head, std::size_t max_body_bytes);

// RFC 3986 §2.1 on the raw request path: every '%' must start a two-hex-digit escape, the
// decoded path must be UTF-8, and an escaped '/' (%2F) is refused, since it would change which
// segments the path has. Returns the 400 to answer, or nullopt when the path is acceptable.
std::optional<Error> CheckRequestPath(std::string_view raw_path);

// RFC 9112 §9.3: whether the connection stays open after this response. HTTP/1.1 keeps it unless
// the Connection header lists "close"; HTTP/1.0 closes it unless it lists "keep-alive".
bool KeepsAlive(bool http11, std::optional<std::string_view> connection);

// Headers every response gets unless the Api chose its own: `Cache-Control: no-store`, since
// SCIM and token responses carry personal data and secrets (RFC 7644 §7), and `Retry-After` on
// a 503. The console's static files set their own Cache-Control and keep it.
void AddPolicyHeaders(HttpResponse& response);

// The bytes of an HTTP/1.1 response: status line, Date, the response's headers, Connection,
// Content-Length and the body. A response to HEAD keeps the Content-Length its GET would have
// and omits the body (RFC 9110 §9.3.2); 1xx, 204 and 304 have neither.
std::string SerializeResponse(const HttpResponse& response, bool head, bool keep_alive);

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

    // Stops accepting work: new requests get 503 (and the connection closes) while the ones
    // already being received or handled finish (up to drain_timeout), then the endpoint closes.
    // Idempotent.
    void Shutdown();

private:
    class Handler;
    struct Watchlist;  // the connections the watchdog looks at; defined in server.cc
    struct State {
        Api* api;
        std::size_t max_body_bytes = 0;
        std::chrono::milliseconds header_timeout{0};
        std::chrono::milliseconds body_timeout{0};
        std::atomic<int> in_flight{0};  // requests the Api is handling
        std::atomic<int> receiving{0};  // requests begun on a connection and not yet answered
        std::atomic<bool> draining{false};
        std::shared_ptr<Watchlist> watchlist;
    };

    // The watchdog thread: answers requests past their deadline until StopWatchdog.
    void Watch();
    void StopWatchdog();

    ServerOptions options_;
    std::shared_ptr<State> state_;
    std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
    std::thread watchdog_;
    bool running_ = false;
};

}  // namespace scim::http
