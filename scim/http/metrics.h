#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Process-wide counters for GET /metrics, rendered in the Prometheus text exposition format
// (version 0.0.4). Recording is a few relaxed atomic increments with no lock and no allocation,
// so it stays off the profile at thousands of requests per second; only Render walks the series.
//
// Series (all names start with scimd_):
//   http_requests_total{route,status}           counter   one per answered request
//   http_request_duration_seconds{route}        histogram time spent in the Api
//   http_throttled_total                        counter   429 answers (failed-auth throttling)
//   auth_failures_total{reason}                 counter   401 answers: missing|malformed|rejected
//   audit_events_total                          counter   audit events committed with a SCIM
//                                                         write or a token or workspace action
//                                                         of the admin API
//   db_pool_in_use, db_pool_size                gauge     sampled at scrape time
//   build_info{compiler,cplusplus,schema_version} gauge   always 1
// No label ever carries a token, a URL or a value taken from a request: routes are templates,
// statuses numbers, reasons one of three words.
namespace scim::http {

// Why a request got 401. "rejected" lumps unknown, revoked and expired tokens together on
// purpose, like the response itself (DESIGN.md §2 step 3).
enum class AuthFailureReason { kMissing, kMalformed, kRejected };

std::string_view AuthFailureReasonName(AuthFailureReason reason);

// Classifies a refused Authorization header value (nullopt when the header is absent) without a
// database: absent or blank is missing; a scheme other than Bearer, or a credential that does
// not have the shape and checksum of a scimd token, is malformed; anything else is rejected.
AuthFailureReason ClassifyAuthFailure(std::optional<std::string_view> authorization);

struct BuildInfo {
    std::string schema_version;  // the migration the database is at
};

struct PoolUse {
    std::size_t in_use = 0;
    std::size_t size = 0;
};

class Metrics {
public:
    // Label used for requests that matched no route (404 for an unknown path).
    static constexpr std::string_view kUnmatchedRoute = "unmatched";

    // `routes` are every route template the server can report; requests with any other route
    // are counted under kUnmatchedRoute, so the set of series is bounded whatever clients send.
    Metrics(const std::vector<std::string>& routes, BuildInfo build);
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // Sets how the pool gauges are read at scrape time. Call before serving; not thread-safe
    // against Render.
    void SetPoolProbe(std::function<PoolUse()> probe);

    // Records one answered request. Thread-safe and lock-free.
    void ObserveRequest(std::string_view route, int status, double latency_seconds);
    void CountAuthFailure(AuthFailureReason reason);
    void CountAuditEvent();

    // The whole exposition, ending in a newline. Thread-safe; concurrent increments may or may
    // not be included.
    std::string Render() const;

    // The Content-Type of Render's output.
    static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

    // Upper bounds (seconds) of the latency buckets, ascending; +Inf is implicit.
    static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                        0.1,   0.25,   0.5,   1.0,  2.5,   5.0};

private:
    struct RouteSeries;

    std::size_t IndexOf(std::string_view route) const;
    void RenderRequests(std::string& out) const;
    void RenderLatency(std::string& out) const;
    void RenderOthers(std::string& out) const;

    std::vector<std::string> labels_;  // index -> route label; the last is kUnmatchedRoute
    std::map<std::string, std::size_t, std::less<>> index_;
    std::vector<std::unique_ptr<RouteSeries>> series_;
    std::array<std::atomic<std::uint64_t>, 3> auth_failures_{};
    std::atomic<std::uint64_t> throttled_{0};
    std::atomic<std::uint64_t> audit_events_{0};
    std::function<PoolUse()> pool_probe_;
    BuildInfo build_;
};

}  // namespace scim::http
