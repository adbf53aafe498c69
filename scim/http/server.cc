#include "scim/http/server.h"

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unordered_map>
#include <vector>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/net.h>
#include <pistache/peer.h>

#include "scim/casefold.h"
#include "scim/http/render.h"
#include "scim/http/url.h"
#include "scim/text.h"

namespace scim::http {

namespace Http = Pistache::Http;

namespace {

// Pistache's parser knows these methods and refuses every other one (http_defs.h).
constexpr std::string_view kKnownMethods[] = {"OPTIONS", "GET",    "POST",  "HEAD",   "PUT",
                                              "PATCH",   "DELETE", "TRACE", "CONNECT"};

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool IsDigits(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    for (char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

// RFC 9110 §5.6.2 token characters, which is all a method may hold.
bool IsToken(std::string_view text) {
    return !text.empty() && AlnumOr(text, "!#$%&'*+-.^_`|~");
}

// True when the comma-separated list `value` holds `token` (ASCII case-insensitive).
bool ListHas(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        std::size_t comma = value.find(',');
        if (EqualsIgnoreCase(TrimBlanks(value.substr(0, comma)), token)) {
            return true;
        }
        value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    }
    return false;
}

Error BadRequest(std::string detail) {
    return Error{400, std::nullopt, std::move(detail), {}};
}

// The request line's parts, when it has the RFC 9112 §3 shape `method SP target SP version`.
struct RequestLine {
    std::string_view method;
    std::string_view target;
    std::string_view version;
};

// RFC 9112 §2.3: HTTP-version is "HTTP/" DIGIT "." DIGIT, case-sensitive.
bool IsHttpVersion(std::string_view text) {
    return text.size() == 8 && text.substr(0, 5) == "HTTP/" && IsDigits(text.substr(5, 1)) &&
           text[6] == '.' && IsDigits(text.substr(7, 1));
}

// A request-target holds no whitespace or control characters (RFC 9112 §3.2); what it holds
// beyond that is checked once it is parsed (CheckRequestPath).
bool IsTarget(std::string_view text) {
    for (char c : text) {
        if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f') {
            return false;
        }
    }
    return !text.empty();
}

std::optional<RequestLine> SplitRequestLine(std::string_view line) {
    std::size_t first = line.find(' ');
    std::size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second == std::string_view::npos) {
        return std::nullopt;
    }
    RequestLine parts{line.substr(0, first), line.substr(first + 1, second - first - 1),
                      line.substr(second + 1)};
    if (!IsToken(parts.method) || !IsTarget(parts.target) || !IsHttpVersion(parts.version)) {
        return std::nullopt;
    }
    return parts;
}

// RFC 9110 §7.2 and RFC 3986 §3.2.2: Host is uri-host [":" port], possibly empty; this admits
// the characters those allow (reg-name, IP literals in brackets, a port) and nothing else.
bool IsHostValue(std::string_view value) {
    return AlnumOr(value, "-._~!$&'()*+,;=%:[]");
}

// Reads the request line and header fields of `head` into `check`; the framing rules of
// CheckRequestHead are applied by the caller.
struct HeadFields {
    std::optional<RequestLine> request_line;  // nullopt: not of the RFC 9112 §3 shape
    bool http11 = false;
    std::vector<std::string_view> content_lengths;
    std::vector<std::string_view> hosts;
    int authorizations = 0;
    std::optional<std::string_view> transfer_encoding;
    std::optional<std::string_view> expect;
};

HeadFields ReadHead(std::string_view head, HeadCheck& check) {
    HeadFields fields;
    std::size_t line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    std::string_view method = request_line.substr(0, request_line.find(' '));
    check.method = IsToken(method) && method.size() <= 32 ? std::string(method) : std::string();
    fields.request_line = SplitRequestLine(request_line);
    fields.http11 = fields.request_line && fields.request_line->version == "HTTP/1.1";
    while (line_end != std::string_view::npos) {
        std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        std::string_view line = head.substr(start, line_end - start);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        std::string_view name = line.substr(0, colon);
        std::string_view value = TrimBlanks(line.substr(colon + 1));
        if (EqualsIgnoreCase(name, "Content-Length")) {
            fields.content_lengths.push_back(value);
        } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
            fields.transfer_encoding = value;
        } else if (EqualsIgnoreCase(name, "Expect")) {
            fields.expect = value;
        } else if (EqualsIgnoreCase(name, "Host")) {
            fields.hosts.push_back(value);
        } else if (EqualsIgnoreCase(name, "Authorization")) {
            ++fields.authorizations;
        }
    }
    return fields;
}

// RFC 9112 §3.2: an HTTP/1.1 request needs exactly one Host line with a valid value; any
// request with several is refused too. RFC 9110 §5.3: Authorization holds one credential, so
// a repeated line is refused rather than guessed at; the detail never quotes the values.
std::optional<Error> CheckSingletons(const HeadFields& fields) {
    if (fields.hosts.size() > 1) {
        return BadRequest("send one Host header, not several");
    }
    if (fields.hosts.empty() && fields.http11) {
        return BadRequest("an HTTP/1.1 request must carry a Host header");
    }
    if (!fields.hosts.empty() && !IsHostValue(fields.hosts.front())) {
        return BadRequest("the Host header must be a host name or address, with an optional port");
    }
    if (fields.authorizations > 1) {
        return BadRequest("send one Authorization header, not several");
    }
    return std::nullopt;
}

std::optional<Error> CheckFraming(const HeadFields& fields, std::size_t max_body_bytes) {
    if (fields.transfer_encoding) {
        if (!fields.content_lengths.empty()) {
            return BadRequest("send either Content-Length or Transfer-Encoding, not both");
        }
        if (!EqualsIgnoreCase(*fields.transfer_encoding, "chunked")) {
            return Error{501, std::nullopt, "only the chunked transfer coding is supported", {}};
        }
        return std::nullopt;
    }
    for (std::string_view length : fields.content_lengths) {
        // 19 digits always fit in 64 bits; longer values are far past any limit anyway.
        if (!IsDigits(length) || length.size() > 19 || length != fields.content_lengths.front()) {
            return BadRequest("Content-Length must be one decimal number of bytes");
        }
    }
    if (!fields.content_lengths.empty() &&
        std::stoull(std::string(fields.content_lengths.front())) > max_body_bytes) {
        return Error{413,
                     std::nullopt,
                     "request body exceeds " + std::to_string(max_body_bytes) + " bytes",
                     {}};
    }
    return std::nullopt;
}

// RFC 9110 §6.6.1: an origin server with a clock sends Date. Formatted once a second per thread.
const std::string& HttpDate() {
    thread_local std::time_t formatted_at = 0;
    thread_local std::string text;
    std::time_t now = std::time(nullptr);
    if (now != formatted_at || text.empty()) {
        std::tm utc{};
        gmtime_r(&now, &utc);
        char buffer[64];
        std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &utc);
        text = buffer;
        formatted_at = now;
    }
    return text;
}

// Pistache's parser throws HttpError with a status for what it refuses, and other exceptions
// (from number conversions, allocation of a declared size) for input it did not expect. Both
// are the client's request, not a server fault.
Error ParseFailure(int status) {
    if (status == 415) {
        return Error{415, std::nullopt, "send application/scim+json or application/json", {}};
    }
    if (status == 501) {
        return Error{501, std::nullopt, "the request uses a feature this server lacks", {}};
    }
    return BadRequest("the request could not be parsed as HTTP/1.1");
}

HttpRequest Convert(const Http::Request& request, const Pistache::Address& peer) {
    HttpRequest out;
    out.method = Http::methodString(request.method());
    out.path = request.resource();
    for (auto it = request.query().parameters_begin(); it != request.query().parameters_end();
         ++it) {
        out.query.emplace_back(it->first, it->second);
    }
    // Pistache parses the headers it knows into typed objects and keeps the rest raw; both are
    // flattened back to text so the Api sees one list.
    for (const auto& header : request.headers().list()) {
        std::ostringstream value;
        header->write(value);
        out.headers.emplace_back(header->name(), value.str());
    }
    for (const auto& [name, raw] : request.headers().rawList()) {
        out.headers.emplace_back(raw.name(), raw.value());
    }
    out.body = request.body();
    out.peer = peer.host();
    return out;
}

using Clock = std::chrono::steady_clock;

// What one connection remembers between reads about the request it is receiving.
struct Connection {
    std::string head;        // the current request's head, until its end is seen
    bool head_done = false;  // the head was seen and checked
    bool receiving = false;  // a request has begun and is not answered yet
    bool admitted = true;    // it began before draining did
    bool expects_continue = false;
    bool continue_sent = false;
    bool closing = false;  // the last response was sent; input is discarded until the end
    std::string method;
    Clock::time_point deadline;  // when the head, then the body, is overdue (while receiving)

    // Forgets the request, keeping the head buffer's allocation for the next one.
    void NextRequest() {
        std::string buffer = std::move(head);
        buffer.clear();
        *this = Connection{};
        head = std::move(buffer);
    }
};

// A connection's state, stored on the Pistache peer and shared by the reactor thread that reads
// the connection and the watchdog thread that enforces its deadlines. The mutex is recursive
// because a write's completion callback takes it, and the callback runs on the thread that
// queued the write when the reactor has already sent it.
struct ConnectionSlot {
    static constexpr const char* kKey = "scimd.connection";

    std::recursive_mutex mu;
    Connection connection;
    // onDisconnection ran: Pistache is about to close the descriptor, which may then be reused
    // by another connection, so nothing may be done with it any more.
    bool ended = false;
};

std::shared_ptr<ConnectionSlot> FindSlot(const Pistache::Tcp::Peer& peer) {
    return std::static_pointer_cast<ConnectionSlot>(peer.tryGetData(ConnectionSlot::kKey));
}

Error Overdue(std::string_view part, std::chrono::milliseconds limit) {
    return Error{408,
                 std::nullopt,
                 "the request " + std::string(part) + " did not arrive within " +
                     std::to_string(limit.count()) + " ms",
                 {}};
}

}  // namespace

// Every connection with a slot, so the watchdog can find requests past their deadline. Weak
// pointers: a connection that ends is forgotten by onDisconnection, and one the watchdog still
// holds is never kept alive by it beyond one check.
struct Server::Watchlist {
    struct Entry {
        std::weak_ptr<Pistache::Tcp::Peer> peer;
        std::weak_ptr<ConnectionSlot> slot;
    };

    std::mutex mu;
    std::unordered_map<const ConnectionSlot*, Entry> entries;
    std::condition_variable wake;  // tells the watchdog to stop
    bool stop = false;
};

HeadCheck CheckRequestHead(std::string_view head, std::size_t max_body_bytes) {
    HeadCheck check;
    HeadFields fields = ReadHead(head, check);
    // RFC 9112 §3: a request line that does not parse is a 400; only a well-formed one with a
    // method the server does not know is a 501 (RFC 9110 §9.1).
    if (!fields.request_line) {
        check.error = BadRequest("the request line must be: method, target and HTTP version");
        return check;
    }
    check.error = CheckSingletons(fields);
    if (check.error) {
        return check;
    }
    if (check.method.empty() || std::find(std::begin(kKnownMethods), std::end(kKnownMethods),
                                          check.method) == std::end(kKnownMethods)) {
        check.error = Error{501, std::nullopt, "this server does not implement that method", {}};
        return check;
    }
    check.error = CheckFraming(fields, max_body_bytes);
    if (!check.error && fields.expect) {
        if (!EqualsIgnoreCase(*fields.expect, "100-continue")) {
            check.error = Error{417, std::nullopt, "only Expect: 100-continue is supported", {}};
        } else {
            check.expects_continue = fields.http11;
        }
    }
    return check;
}

std::optional<Error> CheckRequestPath(std::string_view raw_path) {
    for (std::size_t i = raw_path.find('%'); i != std::string_view::npos;
         i = raw_path.find('%', i + 1)) {
        std::string_view escape = raw_path.substr(i, 3);
        if (escape.size() == 3 && escape[1] == '2' && (escape[2] == 'F' || escape[2] == 'f')) {
            return BadRequest("the request path must not hold an escaped '/' (%2F)");
        }
    }
    if (!PercentDecode(raw_path, PlusMeans::kPlus)) {
        return BadRequest("the request path is not valid percent-encoded UTF-8");
    }
    return std::nullopt;
}

bool KeepsAlive(bool http11, std::optional<std::string_view> connection) {
    if (http11) {
        return !connection || !ListHas(*connection, "close");
    }
    return connection && ListHas(*connection, "keep-alive");
}

void AddPolicyHeaders(HttpResponse& response) {
    if (!response.Header("Cache-Control")) {
        response.headers.emplace_back("Cache-Control", "no-store");
    }
    if (response.status == 503 && !response.Header("Retry-After")) {
        response.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
    }
}

std::string SerializeResponse(const HttpResponse& response, bool head, bool keep_alive) {
    bool no_content = response.status < 200 || response.status == 204 || response.status == 304;
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      Http::codeString(static_cast<Http::Code>(response.status)) + "\r\n";
    out += "Date: " + HttpDate() + "\r\n";
    for (const auto& [name, value] : response.headers) {
        // The framing headers are ours to write; a handler's copy would contradict them.
        if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection")) {
            continue;
        }
        out += name + ": " + value + "\r\n";
    }
    out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    if (!no_content) {
        out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    }
    out += "\r\n";
    if (!head && !no_content) {
        out += response.body;
    }
    return out;
}

// Replaces Http::Handler's input step (see the header comment for why): it checks each request
// head, answers Expect, hands complete requests to the Api and writes the responses itself.
class Server::Handler : public Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    explicit Handler(std::shared_ptr<State> state) : state_(std::move(state)) {}

    // Unused: onInput below never calls it, but Http::Handler declares it abstract.
    void onRequest(const Http::Request&, Http::ResponseWriter) override {}

    void onInput(const char* buffer,
                 size_t len,
                 const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
        std::shared_ptr<ConnectionSlot> slot = SlotOf(peer);
        // Held while the request is read and handled; the watchdog only tries it, so a slow
        // handler never stalls the watchdog, and a request being read is never answered twice.
        std::lock_guard lock(slot->mu);
        Connection& connection = slot->connection;
        if (connection.closing) {
            return;  // the rest of a refused request; the client is closing
        }
        Begin(connection, peer);
        if (!connection.head_done && !ObserveHead(connection, buffer, len, peer)) {
            return;
        }
        auto parser = getParser(peer);
        int failure = 0;
        Http::Private::State state = Http::Private::State::Again;
        try {
            failure = parser->feed(buffer, len) ? 0 : 413;
            if (failure == 0) {
                state = parser->parse();
            }
        } catch (const Http::HttpError& error) {
            failure = error.code();
        } catch (const std::exception&) {
            failure = 400;
        }
        if (failure != 0) {
            parser->reset();
            Refuse(*state_, connection, peer, failure == 413 ? TooLarge() : ParseFailure(failure));
        } else if (state == Http::Private::State::Done) {
            Http::Request request = parser->request;
            parser->reset();
            Serve(connection, peer, request);
        } else {
            SendContinue(connection, peer);
        }
    }

    void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
        std::shared_ptr<ConnectionSlot> slot = FindSlot(*peer);
        if (!slot) {
            return;
        }
        {
            std::lock_guard lock(slot->mu);
            slot->ended = true;
            Finish(*state_, slot->connection);
        }
        std::lock_guard lock(state_->watchlist->mu);
        state_->watchlist->entries.erase(slot.get());
    }

    // Answers the request on `peer` with a SCIM 408 when its head or body is overdue at `now`
    // (RFC 9110 §15.5.9), then ends the connection. Called by the watchdog thread; a connection
    // whose input is being read right now is left for the next look.
    static void ExpireIfOverdue(State& state,
                                const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                                ConnectionSlot& slot,
                                Clock::time_point now) {
        std::unique_lock lock(slot.mu, std::try_to_lock);
        if (!lock.owns_lock() || slot.ended) {
            return;
        }
        Connection& connection = slot.connection;
        if (!connection.receiving || connection.closing || now < connection.deadline) {
            return;
        }
        Error error = connection.head_done ? Overdue("body", state.body_timeout)
                                           : Overdue("head", state.header_timeout);
        Refuse(state, connection, peer, error);
    }

private:
    Error TooLarge() const {
        return Error{413,
                     std::nullopt,
                     "request body exceeds " + std::to_string(state_->max_body_bytes) + " bytes",
                     {}};
    }

    // The peer's slot, made and put on the watchlist on the connection's first input.
    std::shared_ptr<ConnectionSlot> SlotOf(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
        std::shared_ptr<ConnectionSlot> slot = FindSlot(*peer);
        if (!slot) {
            slot = std::make_shared<ConnectionSlot>();
            peer->putData(ConnectionSlot::kKey, slot);
            std::lock_guard lock(state_->watchlist->mu);
            state_->watchlist->entries[slot.get()] = Watchlist::Entry{peer, slot};
        }
        return slot;
    }

    // Starts a request's clock. Pistache's own timeouts (the backstop) count from its parser's
    // last reset and apply its keep-alive timeout to a peer marked idle, so the parser is reset
    // and the peer marked busy here: otherwise a request begun late in a keep-alive wait could be
    // dropped by Pistache, silently and without onDisconnection, before its deadline.
    void Begin(Connection& connection, const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
        if (connection.receiving) {
            return;
        }
        getParser(peer)->reset();
        peer->setIdle(false);
        connection.receiving = true;
        connection.admitted = !state_->draining.load();
        connection.deadline = Clock::now() + state_->header_timeout;
        state_->receiving.fetch_add(1);
    }

    static void Finish(State& state, Connection& connection) {
        if (connection.receiving) {
            state.receiving.fetch_sub(1);
        }
        connection.NextRequest();
    }

    // Keeps the head until its end arrives, then checks it. False when the request was refused.
    bool ObserveHead(Connection& connection,
                     const char* buffer,
                     size_t len,
                     const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
        std::size_t searched = connection.head.size() < 3 ? 0 : connection.head.size() - 3;
        connection.head.append(buffer, len);
        std::size_t end = connection.head.find("\r\n\r\n", searched);
        if (end == std::string::npos) {
            if (connection.head.size() > kHeaderRoom) {
                Refuse(*state_, connection, peer,
                       Error{431, std::nullopt, "the request head is too large", {}});
                return false;
            }
            return true;
        }
        HeadCheck check = CheckRequestHead(std::string_view(connection.head).substr(0, end),
                                           state_->max_body_bytes);
        connection.head.clear();
        if (connection.head.capacity() > 4096) {
            connection.head.shrink_to_fit();  // an odd huge head need not stay allocated
        }
        connection.head_done = true;
        connection.deadline = Clock::now() + state_->body_timeout;
        connection.method = check.method;
        connection.expects_continue = check.expects_continue;
        if (check.error) {
            getParser(peer)->reset();
            Refuse(*state_, connection, peer, *check.error);
            return false;
        }
        return true;
    }

    void SendContinue(Connection& connection, const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
        if (connection.head_done && connection.expects_continue && !connection.continue_sent) {
            connection.continue_sent = true;
            peer->send(Pistache::RawBuffer(kContinue.data(), kContinue.size()));
        }
    }

    void Serve(Connection& connection,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer,
               const Http::Request& request) {
        bool admitted = connection.admitted;
        Finish(*state_, connection);
        peer->setIdle(false);
        bool head = request.method() == Http::Method::Head;
        HttpResponse response;
        bool keep_alive = false;
        state_->in_flight.fetch_add(1);
        try {
            HttpRequest converted = Convert(request, peer->address());
            keep_alive = admitted && !state_->draining.load() &&
                         KeepsAlive(request.version() == Http::Version::Http11,
                                    converted.Header("Connection"));
            std::optional<Error> bad_path = CheckRequestPath(converted.path);
            if (!admitted) {
                response = state_->api->Reject(converted, ShuttingDown());
            } else if (bad_path) {
                response = state_->api->Reject(converted, *bad_path);
            } else {
                response = state_->api->Handle(converted);
            }
        } catch (const std::exception&) {
            // Converting the request failed (Pistache threw); the Api itself never throws.
            response = Render(Error::Internal("request could not be read"));
        }
        state_->in_flight.fetch_sub(1);
        // Pistache's keep-alive clock is its parser's last reset: every 500 ms its reactor closes
        // a peer marked idle whose parser was reset longer than keepalive_timeout ago, without a
        // response and before it sends what is queued for the peer. That check runs on this
        // thread, so never while the Api works, but the parser was last reset when the request
        // was complete: a response that took longer than keepalive_timeout to produce was
        // queued, the peer marked idle by Write, and the connection closed before the bytes
        // left. Resetting it here starts the keep-alive wait when the response is queued.
        getParser(peer)->reset();
        Write(connection, peer, response, head, keep_alive);
    }

    static Error ShuttingDown() {
        return Error{503, std::nullopt, "the server is shutting down, retry later", {}};
    }

    static void Refuse(State& state,
                       Connection& connection,
                       const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                       const Error& error) {
        HttpRequest request;
        request.method = connection.method;
        request.peer = peer->address().host();
        Finish(state, connection);
        Write(connection, peer, state.api->Reject(request, error), false, false);
    }

    // Sends `response`; when the connection is not kept, ends it once the bytes are written,
    // with a half close so the client reads the whole response before it sees the end. Pistache
    // queues the bytes for the peer's reactor thread, so any thread holding the slot may write.
    static void Write(Connection& connection,
                      const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                      HttpResponse response,
                      bool head,
                      bool keep_alive) {
        AddPolicyHeaders(response);
        std::string wire = SerializeResponse(response, head, keep_alive);
        peer->setIdle(true);
        auto sent = peer->send(Pistache::RawBuffer(std::move(wire), wire.size()));
        if (keep_alive) {
            return;
        }
        connection.closing = true;
        std::weak_ptr<Pistache::Tcp::Peer> weak_peer = peer;
        std::weak_ptr<ConnectionSlot> weak_slot = FindSlot(*peer);
        auto end = [weak_peer, weak_slot] {
            // Pistache closes the descriptor right after onDisconnection, which marks the slot
            // ended under its lock; until then the peer still owns it.
            auto alive = weak_peer.lock();
            auto slot = weak_slot.lock();
            if (!alive || !slot) {
                return;
            }
            std::lock_guard lock(slot->mu);
            if (!slot->ended) {
                ::shutdown(alive->fd(), SHUT_WR);
            }
        };
        sent.then([end](ssize_t) { end(); }, [end](std::exception_ptr&) { end(); });
    }

    std::shared_ptr<State> state_;
};

Server::Server(Api& api, ServerOptions options)
    : options_(std::move(options)), state_(std::make_shared<State>()) {
    state_->api = &api;
    state_->max_body_bytes = options_.max_body_bytes;
    state_->header_timeout = options_.header_timeout;
    state_->body_timeout = options_.body_timeout;
    state_->watchlist = std::make_shared<Watchlist>();
}

Server::~Server() {
    Shutdown();
}

Status Server::Start() {
    try {
        Pistache::Address address(options_.host, Pistache::Port(options_.port));
        endpoint_ = std::make_unique<Http::Endpoint>(address);
        auto opts =
            Http::Endpoint::options()
                .threads(options_.threads)
                .flags(Pistache::Tcp::Options::ReuseAddr)
                .maxRequestSize(PistacheRequestLimit(options_.max_body_bytes))
                .headerTimeout(PistacheTimeout(options_.header_timeout))
                // Pistache may count the body's time from the first byte of the request.
                .bodyTimeout(PistacheTimeout(options_.header_timeout + options_.body_timeout))
                .keepaliveTimeout(options_.keepalive_timeout);
        endpoint_->init(opts);
        endpoint_->setHandler(Http::make_handler<Handler>(state_));
        endpoint_->serveThreaded();
    } catch (const std::exception& e) {
        endpoint_.reset();
        return Error::Internal(std::string("cannot listen on ") + options_.host + ":" +
                               std::to_string(options_.port) + ": " + e.what());
    }
    running_ = true;
    watchdog_ = std::thread([this] { Watch(); });
    return Ok{};
}

void Server::Watch() {
    // A tenth of the shorter timeout, so short test timeouts stay precise, but at most 100 ms.
    auto period = std::clamp(std::min(options_.header_timeout, options_.body_timeout) / 10,
                             std::chrono::milliseconds(5), std::chrono::milliseconds(100));
    Watchlist& watchlist = *state_->watchlist;
    std::vector<std::pair<std::shared_ptr<Pistache::Tcp::Peer>, std::shared_ptr<ConnectionSlot>>>
        live;
    std::unique_lock lock(watchlist.mu);
    while (!watchlist.wake.wait_for(lock, period, [&] { return watchlist.stop; })) {
        for (auto it = watchlist.entries.begin(); it != watchlist.entries.end();) {
            auto peer = it->second.peer.lock();
            auto slot = it->second.slot.lock();
            if (!peer || !slot) {
                it = watchlist.entries.erase(it);
                continue;
            }
            live.emplace_back(std::move(peer), std::move(slot));
            ++it;
        }
        // Checked without the list's lock: a refusal logs, and new connections must not wait.
        lock.unlock();
        Clock::time_point now = Clock::now();
        for (const auto& [peer, slot] : live) {
            Handler::ExpireIfOverdue(*state_, peer, *slot, now);
        }
        live.clear();
        lock.lock();
    }
}

void Server::StopWatchdog() {
    if (!watchdog_.joinable()) {
        return;
    }
    {
        std::lock_guard lock(state_->watchlist->mu);
        state_->watchlist->stop = true;
    }
    state_->watchlist->wake.notify_all();
    watchdog_.join();
}

std::uint16_t Server::Port() const {
    return endpoint_ ? static_cast<std::uint16_t>(endpoint_->getPort()) : 0;
}

void Server::Shutdown() {
    if (!running_) {
        return;
    }
    running_ = false;
    state_->draining.store(true);
    auto deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
    while (state_->in_flight.load() + state_->receiving.load() > 0 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // Before the endpoint goes: the watchdog writes through Pistache's transports.
    StopWatchdog();
    // The last responses are queued on the reactor; give them a moment to reach the socket.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    endpoint_->shutdown();
}

}  // namespace scim::http
