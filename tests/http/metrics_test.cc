#include "scim/http/metrics.h"

#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include "auth/token.h"
#include "db/database.h"
#include "http/fakes.h"
#include "scim/http/api.h"
#include "scim/http/audit_counting_store.h"
#include "service/fake_store.h"

namespace scim::http {
namespace {

using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Not;
using ::testing::Optional;
using ::testing::Return;

Metrics MakeMetrics() {
    return Metrics({"/scim/v2/Users", "/scim/v2/Users/{id}"}, BuildInfo{"7"});
}

TEST(MetricsTest, CountsRequestsByRouteTemplateAndStatus) {
    Metrics metrics = MakeMetrics();
    metrics.ObserveRequest("/scim/v2/Users", 200, 0.002);
    metrics.ObserveRequest("/scim/v2/Users", 200, 0.002);
    metrics.ObserveRequest("/scim/v2/Users/{id}", 404, 0.001);
    std::string text = metrics.Render();
    EXPECT_THAT(text, HasSubstr("# TYPE scimd_http_requests_total counter\n"));
    EXPECT_THAT(
        text, HasSubstr("scimd_http_requests_total{route=\"/scim/v2/Users\",status=\"200\"} 2\n"));
    EXPECT_THAT(text, HasSubstr("scimd_http_requests_total{route=\"/scim/v2/Users/{id}\","
                                "status=\"404\"} 1\n"));
    EXPECT_THAT(text, Not(HasSubstr("status=\"201\"")));
}

TEST(MetricsTest, CountsUnknownRoutesUnderOneLabel) {
    Metrics metrics = MakeMetrics();
    metrics.ObserveRequest("", 404, 0.0);
    metrics.ObserveRequest("/scim/v2/Users/2819c223-7f76", 404, 0.0);
    EXPECT_THAT(metrics.Render(),
                HasSubstr("scimd_http_requests_total{route=\"unmatched\",status=\"404\"} 2\n"));
}

TEST(MetricsTest, RendersACumulativeLatencyHistogram) {
    Metrics metrics = MakeMetrics();
    metrics.ObserveRequest("/scim/v2/Users", 200, 0.0005);  // first bucket
    metrics.ObserveRequest("/scim/v2/Users", 200, 0.02);    // le=0.025
    metrics.ObserveRequest("/scim/v2/Users", 200, 30.0);    // only +Inf
    std::string text = metrics.Render();
    const std::string prefix = "scimd_http_request_duration_seconds";
    const std::string route = "route=\"/scim/v2/Users\"";
    EXPECT_THAT(text, HasSubstr("# TYPE " + prefix + " histogram\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "_bucket{" + route + ",le=\"0.001\"} 1\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "_bucket{" + route + ",le=\"0.01\"} 1\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "_bucket{" + route + ",le=\"0.025\"} 2\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "_bucket{" + route + ",le=\"5\"} 2\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "_bucket{" + route + ",le=\"+Inf\"} 3\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "_sum{" + route + "} 30.0205\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "_count{" + route + "} 3\n"));
    // Routes never seen get no histogram lines at all.
    EXPECT_THAT(text, Not(HasSubstr(prefix + "_count{route=\"/scim/v2/Users/{id}\"}")));
}

TEST(MetricsTest, CountsThrottledRequestsAuthFailuresAndAuditEvents) {
    Metrics metrics = MakeMetrics();
    metrics.ObserveRequest("/scim/v2/Users", 429, 0.0);
    metrics.CountAuthFailure(AuthFailureReason::kMalformed);
    metrics.CountAuthFailure(AuthFailureReason::kMalformed);
    metrics.CountAuthFailure(AuthFailureReason::kRejected);
    metrics.CountAuditEvent();
    std::string text = metrics.Render();
    EXPECT_THAT(text, HasSubstr("scimd_http_throttled_total 1\n"));
    EXPECT_THAT(text, HasSubstr("scimd_auth_failures_total{reason=\"missing\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("scimd_auth_failures_total{reason=\"malformed\"} 2\n"));
    EXPECT_THAT(text, HasSubstr("scimd_auth_failures_total{reason=\"rejected\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("scimd_audit_events_total 1\n"));
}

TEST(MetricsTest, SamplesThePoolAndDescribesTheBuild) {
    Metrics metrics = MakeMetrics();
    EXPECT_THAT(metrics.Render(), Not(HasSubstr("scimd_db_pool")));
    metrics.SetPoolProbe([] { return PoolUse{3, 8}; });
    std::string text = metrics.Render();
    EXPECT_THAT(text, HasSubstr("# TYPE scimd_db_pool_in_use gauge\nscimd_db_pool_in_use 3\n"));
    EXPECT_THAT(text, HasSubstr("scimd_db_pool_size 8\n"));
    EXPECT_THAT(text, HasSubstr("schema_version=\"7\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("scimd_build_info{compiler=\""));
}

TEST(MetricsTest, EveryLineIsACommentOrASample) {
    Metrics metrics = MakeMetrics();
    metrics.ObserveRequest("/scim/v2/Users", 201, 0.01);
    metrics.SetPoolProbe([] { return PoolUse{0, 1}; });
    std::string text = metrics.Render();
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        std::string line = text.substr(start, end - start);
        SCOPED_TRACE(line);
        bool comment = line.rfind("# HELP scimd_", 0) == 0 || line.rfind("# TYPE scimd_", 0) == 0;
        bool sample = line.rfind("scimd_", 0) == 0 && line.find(' ') != std::string::npos;
        EXPECT_TRUE(comment || sample);
        start = end + 1;
    }
}

TEST(MetricsTest, ConcurrentRecordingLosesNoCounts) {
    Metrics metrics = MakeMetrics();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                metrics.ObserveRequest("/scim/v2/Users", 200, 0.001);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_THAT(metrics.Render(),
                HasSubstr("scimd_http_requests_total{route=\"/scim/v2/Users\",status=\"200\"} "
                          "40000\n"));
}

TEST(AuthFailureReasonTest, ClassifiesRefusedHeadersWithoutEchoingThem) {
    auto minted = auth::Mint(auth::TokenKind::kOrg, "org1");
    ASSERT_TRUE(minted.ok());
    std::string token(minted->Reveal());
    std::string broken = token;
    broken.back() = broken.back() == 'A' ? 'B' : 'A';  // breaks the checksum tail

    struct Case {
        std::optional<std::string> header;
        AuthFailureReason reason;
    };
    const std::vector<Case> cases = {
        {std::nullopt, AuthFailureReason::kMissing},
        {"", AuthFailureReason::kMissing},
        {"   ", AuthFailureReason::kMissing},
        {"Basic dXNlcjpwYXNz", AuthFailureReason::kMalformed},
        {"Bearer", AuthFailureReason::kMalformed},
        {"Bearer not-a-token", AuthFailureReason::kMalformed},
        {"Bearer " + broken, AuthFailureReason::kMalformed},
        {"Bearer " + token, AuthFailureReason::kRejected},
        {"bearer " + token, AuthFailureReason::kRejected},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.header.value_or("(absent)"));
        std::optional<std::string_view> header;
        if (c.header) {
            header = *c.header;
        }
        EXPECT_EQ(ClassifyAuthFailure(header), c.reason);
    }
}

class ApiMetricsTest : public ::testing::Test {
protected:
    ApiMetricsTest() : metrics_(Api::RouteTemplates(), BuildInfo{"1"}) {}

    Api MakeApi(Metrics* metrics) {
        ApiOptions options;
        options.log = [](std::string_view) {};
        options.metrics = metrics;
        return Api(backend_, auth_, options);
    }

    static HttpRequest Request(std::string path, std::optional<std::string> authorization) {
        HttpRequest request;
        request.method = "GET";
        request.path = std::move(path);
        request.peer = "127.0.0.9";
        if (authorization) {
            request.headers.emplace_back("Authorization", *authorization);
        }
        return request;
    }

    NiceMock<testing::MockBackend> backend_;
    testing::FakeAuthenticator auth_;
    Metrics metrics_;
};

TEST_F(ApiMetricsTest, ServesTheExpositionWithoutAToken) {
    Api api = MakeApi(&metrics_);
    HttpResponse response = api.Handle(Request("/metrics", std::nullopt));
    EXPECT_EQ(response.status, 200);
    EXPECT_THAT(response.Header("Content-Type"), Optional(HasSubstr("text/plain; version=0.0.4")));
    EXPECT_THAT(response.body, HasSubstr("# TYPE scimd_http_requests_total counter"));
}

TEST_F(ApiMetricsTest, AnswersNotFoundWhenMetricsAreOff) {
    Api api = MakeApi(nullptr);
    EXPECT_EQ(api.Handle(Request("/metrics", std::nullopt)).status, 404);
}

TEST_F(ApiMetricsTest, RecordsEveryRequestWithItsRouteTemplate) {
    ON_CALL(backend_, Get).WillByDefault(Return(Response{200, {{"id", "u1"}}, {}, {}}));
    Api api = MakeApi(&metrics_);
    api.Handle(Request("/scim/v2/Users/u1", "Bearer good"));
    api.Handle(Request("/scim/v2/Users/u2", "Bearer good"));
    api.Handle(Request("/nowhere", "Bearer good"));
    std::string text = api.Handle(Request("/metrics", std::nullopt)).body;
    EXPECT_THAT(text, HasSubstr("scimd_http_requests_total{route=\"/scim/v2/Users/{id}\","
                                "status=\"200\"} 2\n"));
    EXPECT_THAT(text,
                HasSubstr("scimd_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"));
    EXPECT_THAT(text, Not(HasSubstr("u1")));
}

TEST_F(ApiMetricsTest, CountsAuthFailuresByReasonAndThrottling) {
    Api api = MakeApi(&metrics_);
    api.Handle(Request("/scim/v2/Users", std::nullopt));
    api.Handle(Request("/scim/v2/Users", "Bearer secret-guess"));
    api.Handle(Request("/scim/v2/Users", "Bearer slow-down"));
    api.Handle(Request("/scim/v2/Users", "Bearer workspace"));  // 403: not an auth failure
    std::string text = api.Handle(Request("/metrics", std::nullopt)).body;
    EXPECT_THAT(text, HasSubstr("scimd_auth_failures_total{reason=\"missing\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("scimd_auth_failures_total{reason=\"malformed\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("scimd_auth_failures_total{reason=\"rejected\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("scimd_http_throttled_total 1\n"));
    EXPECT_THAT(text, Not(HasSubstr("secret-guess")));
}

StoredResource Resource(std::string id) {
    StoredResource resource;
    resource.id = std::move(id);
    resource.version = 1;
    resource.doc = {{"userName", "bjensen"}};
    resource.created = resource.last_modified = "2026-01-01T00:00:00Z";
    return resource;
}

TEST(AuditCountingStoreTest, CountsOnlyWritesThatSucceeded) {
    service::testing::FakeStore inner;
    Metrics metrics = MakeMetrics();
    AuditCountingStore store(inner, metrics);
    RequestContext ctx;
    ctx.principal.org_id = "org1";
    AuditEvent event;

    ASSERT_TRUE(store.Create(ctx, "User", Resource("u1"), {}, event).ok());
    EXPECT_FALSE(store.Create(ctx, "User", Resource("u1"), {}, event).ok());  // duplicate id
    ASSERT_TRUE(store.Update(ctx, "User", Resource("u1"), 1, {}, event).ok());
    EXPECT_FALSE(store.Update(ctx, "User", Resource("u1"), 1, {}, event).ok());  // stale version
    EXPECT_TRUE(store.Get("org1", "User", "u1").ok());
    ASSERT_TRUE(store.Delete(ctx, "User", "u1", std::nullopt, event).ok());
    EXPECT_FALSE(store.Delete(ctx, "User", "u1", std::nullopt, event).ok());

    EXPECT_THAT(metrics.Render(), HasSubstr("scimd_audit_events_total 3\n"));
}

TEST(DatabasePoolGaugeTest, CountsSessionsWhileTheyAreLeased) {
    auto database = db::Database::Open("sqlite::memory:", 1);
    ASSERT_TRUE(database.ok()) << database.error().internal;
    EXPECT_EQ((*database)->sessions_in_use(), 0u);
    std::size_t inside = 0;
    Status done = (*database)->WithSession([&](soci::session&) -> Status {
        inside = (*database)->sessions_in_use();
        return Ok{};
    });
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(inside, 1u);
    EXPECT_EQ((*database)->sessions_in_use(), 0u);
}

}  // namespace
}  // namespace scim::http
