#include "scim/http/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "auth/token.h"
#include "scim/http/url.h"
#include "scim/text.h"

namespace scim::http {

namespace {

constexpr int kFirstStatus = 100;
constexpr int kLastStatus = 599;
constexpr std::size_t kStatusCount = kLastStatus - kFirstStatus + 1;

// Label values are route templates we registered, but escape them as the format requires anyway
// (backslash, double quote and newline), so a future route cannot break the exposition.
void AppendLabelValue(std::string& out, std::string_view value) {
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
}

void AppendHeader(std::string& out,
                  std::string_view name,
                  std::string_view type,
                  std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void AppendNumber(std::string& out, double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    out += text;
}

void AppendSample(std::string& out, std::string_view name, std::uint64_t value) {
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
}

}  // namespace

std::string_view AuthFailureReasonName(AuthFailureReason reason) {
    switch (reason) {
        case AuthFailureReason::kMissing:
            return "missing";
        case AuthFailureReason::kMalformed:
            return "malformed";
        case AuthFailureReason::kRejected:
            return "rejected";
    }
    return "rejected";
}

AuthFailureReason ClassifyAuthFailure(std::optional<std::string_view> authorization) {
    std::string_view value = TrimBlanks(authorization.value_or(""));
    if (value.empty()) {
        return AuthFailureReason::kMissing;
    }
    // RFC 6750 §2.1: "Bearer" (case-insensitive, RFC 9110 §11.1), one space, the credential.
    constexpr std::string_view kScheme = "bearer ";
    if (value.size() <= kScheme.size() ||
        !EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
        return AuthFailureReason::kMalformed;
    }
    auto parsed = auth::Parse(TrimBlanks(value.substr(kScheme.size())));
    if (!parsed || !parsed->checksum_ok) {
        return AuthFailureReason::kMalformed;
    }
    return AuthFailureReason::kRejected;
}

struct Metrics::RouteSeries {
    std::array<std::atomic<std::uint64_t>, kStatusCount> statuses{};
    // Non-cumulative bucket counts (the last one is +Inf); Render accumulates them.
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> latency_sum_us{0};
    std::atomic<std::uint64_t> count{0};
};

Metrics::Metrics(const std::vector<std::string>& routes, BuildInfo build)
    : build_(std::move(build)) {
    for (const std::string& route : routes) {
        if (route == kUnmatchedRoute || index_.count(route) > 0) {
            continue;
        }
        index_.emplace(route, labels_.size());
        labels_.push_back(route);
    }
    labels_.emplace_back(kUnmatchedRoute);
    for (std::size_t i = 0; i < labels_.size(); ++i) {
        series_.push_back(std::make_unique<RouteSeries>());
    }
}

Metrics::~Metrics() = default;

void Metrics::SetPoolProbe(std::function<PoolUse()> probe) {
    pool_probe_ = std::move(probe);
}

std::size_t Metrics::IndexOf(std::string_view route) const {
    auto found = index_.find(route);
    return found == index_.end() ? labels_.size() - 1 : found->second;
}

void Metrics::ObserveRequest(std::string_view route, int status, double latency_seconds) {
    RouteSeries& series = *series_[IndexOf(route)];
    if (status >= kFirstStatus && status <= kLastStatus) {
        series.statuses[static_cast<std::size_t>(status - kFirstStatus)].fetch_add(
            1, std::memory_order_relaxed);
    }
    std::size_t bucket = 0;
    while (bucket < kBuckets.size() && latency_seconds > kBuckets[bucket]) {
        ++bucket;
    }
    series.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    double micros = std::max(0.0, latency_seconds) * 1e6;
    series.latency_sum_us.fetch_add(static_cast<std::uint64_t>(std::llround(micros)),
                                    std::memory_order_relaxed);
    series.count.fetch_add(1, std::memory_order_relaxed);
    if (status == 429) {
        throttled_.fetch_add(1, std::memory_order_relaxed);
    }
}

void Metrics::CountAuthFailure(AuthFailureReason reason) {
    auth_failures_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::CountAuditEvent() {
    audit_events_.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::Render() const {
    std::string out;
    out.reserve(16 * 1024);
    RenderRequests(out);
    RenderLatency(out);
    RenderOthers(out);
    return out;
}

void Metrics::RenderRequests(std::string& out) const {
    AppendHeader(out, "scimd_http_requests_total", "counter",
                 "HTTP requests answered, by route template and status code.");
    for (std::size_t r = 0; r < labels_.size(); ++r) {
        for (std::size_t s = 0; s < kStatusCount; ++s) {
            std::uint64_t n = series_[r]->statuses[s].load(std::memory_order_relaxed);
            if (n == 0) {
                continue;
            }
            out += "scimd_http_requests_total{route=\"";
            AppendLabelValue(out, labels_[r]);
            out += "\",status=\"" + std::to_string(kFirstStatus + static_cast<int>(s)) + "\"} ";
            out += std::to_string(n);
            out += '\n';
        }
    }
}

void Metrics::RenderLatency(std::string& out) const {
    constexpr std::string_view kName = "scimd_http_request_duration_seconds";
    AppendHeader(out, kName, "histogram", "Time from request parsed to response ready, by route.");
    for (std::size_t r = 0; r < labels_.size(); ++r) {
        const RouteSeries& series = *series_[r];
        if (series.count.load(std::memory_order_relaxed) == 0) {
            continue;
        }
        std::string route_label = "route=\"";
        AppendLabelValue(route_label, labels_[r]);
        route_label += '"';
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
            cumulative += series.buckets[b].load(std::memory_order_relaxed);
            out += kName;
            out += "_bucket{" + route_label + ",le=\"";
            if (b < kBuckets.size()) {
                AppendNumber(out, kBuckets[b]);
            } else {
                out += "+Inf";
            }
            out += "\"} " + std::to_string(cumulative) + '\n';
        }
        // _count equals the +Inf bucket so the histogram stays consistent within one scrape,
        // even while other threads are recording.
        out += kName;
        out += "_sum{" + route_label + "} ";
        AppendNumber(out, static_cast<double>(series.latency_sum_us.load()) / 1e6);
        out += '\n';
        out += kName;
        out += "_count{" + route_label + "} " + std::to_string(cumulative) + '\n';
    }
}

void Metrics::RenderOthers(std::string& out) const {
    AppendHeader(out, "scimd_http_throttled_total", "counter",
                 "Requests answered 429 because their address failed authentication too often.");
    AppendSample(out, "scimd_http_throttled_total", throttled_.load());

    AppendHeader(out, "scimd_auth_failures_total", "counter",
                 "Requests answered 401, by reason (unknown, revoked and expired are rejected).");
    for (auto reason : {AuthFailureReason::kMissing, AuthFailureReason::kMalformed,
                        AuthFailureReason::kRejected}) {
        std::string name = "scimd_auth_failures_total{reason=\"";
        name += AuthFailureReasonName(reason);
        name += "\"}";
        AppendSample(out, name, auth_failures_[static_cast<std::size_t>(reason)].load());
    }

    AppendHeader(out, "scimd_audit_events_total", "counter",
                 "Audit events committed together with a SCIM write.");
    AppendSample(out, "scimd_audit_events_total", audit_events_.load());

    if (pool_probe_) {
        PoolUse pool = pool_probe_();
        AppendHeader(out, "scimd_db_pool_in_use", "gauge", "Database sessions leased right now.");
        AppendSample(out, "scimd_db_pool_in_use", pool.in_use);
        AppendHeader(out, "scimd_db_pool_size", "gauge", "Database sessions in the pool.");
        AppendSample(out, "scimd_db_pool_size", pool.size);
    }

    AppendHeader(out, "scimd_build_info", "gauge", "Always 1; the labels describe the build.");
    out += "scimd_build_info{compiler=\"";
#if defined(__clang__)
    AppendLabelValue(out, "clang " __clang_version__);
#elif defined(__GNUC__)
    AppendLabelValue(out, "gcc " __VERSION__);
#else
    out += "unknown";
#endif
    out += "\",cplusplus=\"" + std::to_string(__cplusplus) + "\",schema_version=\"";
    AppendLabelValue(out, build_.schema_version);
    out += "\"} 1\n";
}

}  // namespace scim::http
