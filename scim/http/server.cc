#include "scim/http/server.h"

#include <sstream>
#include <thread>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/net.h>

#include "scim/http/render.h"

namespace scim::http {

namespace Http = Pistache::Http;

namespace {

// Pistache 0.0.5 writes only typed headers into a response (raw ones are dropped), so every
// header we send goes through this one typed carrier.
class TextHeader : public Http::Header::Header {
public:
    TextHeader(std::string name, std::string value)
        : name_(std::move(name)), value_(std::move(value)) {}
    const char* name() const override { return name_.c_str(); }
    std::uint64_t hash() const override { return Http::Header::detail::hash(name_.c_str()); }
    void write(std::ostream& stream) const override { stream << value_; }

private:
    std::string name_;
    std::string value_;
};

HttpRequest Convert(const Http::Request& request) {
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
    out.peer = request.address().host();
    return out;
}

void Send(const Http::Request& request,
          const HttpResponse& response,
          Http::ResponseWriter& writer,
          bool close) {
    for (const auto& [name, value] : response.headers) {
        writer.headers().remove(name);
        writer.headers().add(std::make_shared<TextHeader>(name, value));
    }
    bool http11 = request.version() == Http::Version::Http11;
    if (close || (http11 && request.headers().has<Http::Header::Connection>() == false)) {
        // Pistache pre-sets "Connection: Close" for HTTP/1.1 requests without a Connection
        // header, yet keeps the socket open; say what it actually does (keep-alive, the
        // HTTP/1.1 default) unless we are draining.
        writer.headers().remove<Http::Header::Connection>();
        writer.headers().add<Http::Header::Connection>(close ? Http::ConnectionControl::Close
                                                             : Http::ConnectionControl::KeepAlive);
    }
    // RFC 9110 §9.3.2: a response to HEAD has no content, whatever the Api rendered.
    bool head = request.method() == Http::Method::Head;
    writer.send(static_cast<Http::Code>(response.status), head ? std::string() : response.body);
}

}  // namespace

class Server::Handler : public Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    explicit Handler(std::shared_ptr<State> state) : state_(std::move(state)) {}

    void onRequest(const Http::Request& request, Http::ResponseWriter writer) override {
        if (state_->draining.load()) {
            Send(request, Render(Error::Unavailable("server is shutting down")), writer, true);
            return;
        }
        state_->in_flight.fetch_add(1);
        try {
            Send(request, state_->api->Handle(Convert(request)), writer, false);
        } catch (...) {
            // Convert or Send failed (Pistache threw); the Api itself never throws.
            Send(request, Render(Error::Internal("response could not be written")), writer, true);
        }
        state_->in_flight.fetch_sub(1);
    }

private:
    std::shared_ptr<State> state_;
};

Server::Server(Api& api, ServerOptions options)
    : options_(std::move(options)), state_(std::make_shared<State>()) {
    state_->api = &api;
}

Server::~Server() {
    Shutdown();
}

Status Server::Start() {
    try {
        Pistache::Address address(options_.host, Pistache::Port(options_.port));
        endpoint_ = std::make_unique<Http::Endpoint>(address);
        auto opts = Http::Endpoint::options()
                        .threads(options_.threads)
                        .flags(Pistache::Tcp::Options::ReuseAddr)
                        .maxRequestSize(PistacheRequestLimit(options_.max_body_bytes))
                        .headerTimeout(options_.header_timeout)
                        .bodyTimeout(options_.body_timeout)
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
    return Ok{};
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
    while (state_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // The last responses are queued on the reactor; give them a moment to reach the socket.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    endpoint_->shutdown();
}

}  // namespace scim::http
