#include "scim/http/access_log.h"

#include <gtest/gtest.h>

namespace scim::http {
namespace {

TEST(AccessLogTest, FormatsOneKeyValueLine) {
    AccessRecord record{"req-1", "PATCH", "/scim/v2/Users/{id}", 409, "uniqueness", 2.5, "org-1",
                        "tok-1", ""};
    EXPECT_EQ(FormatAccessLine(record),
              "level=info request_id=req-1 method=PATCH route=/scim/v2/Users/{id} status=409 "
              "scim_type=uniqueness latency_ms=2.500 org_id=org-1 token_id=tok-1");
}

TEST(AccessLogTest, MarksServerErrorsAndQuotesTheirMessage) {
    AccessRecord record{"r", "GET", "", 500, "", 0, "", "", "db said \"no\"\nat line=2"};
    EXPECT_EQ(FormatAccessLine(record),
              "level=error request_id=r method=GET route=- status=500 scim_type=- "
              "latency_ms=0.000 org_id=- token_id=- error=\"db said \\\"no\\\"\\x0aat line=2\"");
}

TEST(AccessLogTest, LevelsSeparateServerFaultsFromExpectedRefusals) {
    const std::pair<int, const char*> kCases[] = {
        {200, "info"}, {404, "info"},  {429, "info"}, {500, "error"},
        {501, "warn"}, {502, "error"}, {503, "warn"}, {504, "error"},
    };
    for (const auto& [status, level] : kCases) {
        SCOPED_TRACE(status);
        EXPECT_EQ(AccessLevel(status), level);
        AccessRecord record{"r", "POST", "/scim/v2/Bulk", status, "", 0, "", "", ""};
        EXPECT_EQ(FormatAccessLine(record).rfind(std::string("level=") + level + " ", 0), 0u);
    }
}

}  // namespace
}  // namespace scim::http
