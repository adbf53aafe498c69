#include "scim/error.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

struct ScimTypeRow {
    ScimType type;
    std::string_view wire;
    int status;
};

// RFC 7644 §3.12, Table 9, plus RFC 9865's cursor errors: one row per scimType.
constexpr ScimTypeRow kScimTypes[] = {
    {ScimType::kInvalidFilter, "invalidFilter", 400},
    {ScimType::kTooMany, "tooMany", 400},
    {ScimType::kUniqueness, "uniqueness", 409},
    {ScimType::kMutability, "mutability", 400},
    {ScimType::kInvalidSyntax, "invalidSyntax", 400},
    {ScimType::kInvalidPath, "invalidPath", 400},
    {ScimType::kNoTarget, "noTarget", 400},
    {ScimType::kInvalidValue, "invalidValue", 400},
    {ScimType::kInvalidVers, "invalidVers", 400},
    {ScimType::kSensitive, "sensitive", 400},
    {ScimType::kInvalidCursor, "invalidCursor", 400},
    {ScimType::kExpiredCursor, "expiredCursor", 400},
};

class ScimTypeTableTest : public testing::TestWithParam<ScimTypeRow> {};

TEST_P(ScimTypeTableTest, RendersWireNameAndStatus) {
    const ScimTypeRow& row = GetParam();
    const Error error = Error::Scim(row.type, "detail text");
    EXPECT_EQ(ScimTypeName(row.type), row.wire);
    EXPECT_EQ(error.status, row.status);

    const nlohmann::json body = ToJson(error);
    EXPECT_EQ(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    EXPECT_EQ(body["status"], std::to_string(row.status));
    EXPECT_EQ(body["scimType"], row.wire);
    EXPECT_EQ(body["detail"], "detail text");
}

INSTANTIATE_TEST_SUITE_P(AllScimTypes,
                         ScimTypeTableTest,
                         testing::ValuesIn(kScimTypes),
                         [](const testing::TestParamInfo<ScimTypeRow>& info) {
                             return std::string(info.param.wire);
                         });

TEST(ErrorTest, StatusOnlyErrorsHaveNoScimType) {
    for (const Error& error : {Error::NotFound("no such user"), Error::Unauthorized("x"),
                               Error::Forbidden("x"), Error::PreconditionFailed("x")}) {
        EXPECT_FALSE(ToJson(error).contains("scimType")) << error.status;
    }
    EXPECT_EQ(ToJson(Error::NotFound("no such user"))["status"], "404");
}

TEST(ErrorTest, InternalMessageNeverReachesTheBody) {
    const Error error = Error::Internal("SQLSTATE 23505 duplicate key value");
    const std::string body = ToJson(error).dump();
    EXPECT_EQ(error.status, 500);
    EXPECT_EQ(body.find("SQLSTATE"), std::string::npos);
}

}  // namespace
}  // namespace scim
