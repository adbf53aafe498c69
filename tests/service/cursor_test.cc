#include "scim/service/cursor.h"

#include <gtest/gtest.h>

namespace scim::service {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

class CursorCodecTest : public ::testing::Test {
protected:
    system_clock::time_point now_ = system_clock::time_point(seconds(1'800'000'000));
    CursorCodec codec_{"shared secret", seconds(60), [this] { return now_; }};
    std::string hash_ =
        CursorCodec::QueryHash("org-a", "User", "active eq true", "userName", false);
};

TEST_F(CursorCodecTest, RoundTripsPositionAndDirection) {
    const std::string cursor =
        codec_.Encode({Keyset{"bjensen", "id-7"}, true, "", std::nullopt}, hash_);
    auto decoded = codec_.Decode(cursor, hash_);
    ASSERT_TRUE(decoded.ok()) << decoded.error().detail;
    EXPECT_EQ(decoded->key.sort_value, "bjensen");
    EXPECT_EQ(decoded->key.id, "id-7");
    EXPECT_TRUE(decoded->backward);
}

TEST_F(CursorCodecTest, RoundTripsResourceTypeAndCarriedTotal) {
    const std::string cursor =
        codec_.Encode({Keyset{"Admins", "id-9"}, false, "Group", 1'000'000}, hash_);
    auto decoded = codec_.Decode(cursor, hash_);
    ASSERT_TRUE(decoded.ok()) << decoded.error().detail;
    EXPECT_EQ(decoded->type, "Group");
    ASSERT_TRUE(decoded->total.has_value());
    EXPECT_EQ(*decoded->total, 1'000'000);
}

TEST_F(CursorCodecTest, CursorWithoutTypeOrTotalDecodesWithNeither) {
    auto decoded = codec_.Decode(
        codec_.Encode({Keyset{nullptr, "id-1"}, false, "", std::nullopt}, hash_), hash_);
    ASSERT_TRUE(decoded.ok()) << decoded.error().detail;
    EXPECT_TRUE(decoded->type.empty());
    EXPECT_FALSE(decoded->total.has_value());
}

TEST_F(CursorCodecTest, CursorIsUrlSafe) {
    const std::string cursor =
        codec_.Encode({Keyset{nullptr, "a/b+c"}, false, "", std::nullopt}, hash_);
    EXPECT_EQ(cursor.find_first_of("+/= &?#"), std::string::npos) << cursor;
}

TEST_F(CursorCodecTest, RejectsEveryTamperedCharacter) {
    const std::string cursor = codec_.Encode({Keyset{42, "id-1"}, false, "", std::nullopt}, hash_);
    for (std::size_t i = 0; i < cursor.size(); ++i) {
        std::string tampered = cursor;
        tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
        auto decoded = codec_.Decode(tampered, hash_);
        ASSERT_FALSE(decoded.ok()) << "position " << i;
        EXPECT_EQ(decoded.error().scim_type, ScimType::kInvalidCursor);
        EXPECT_EQ(decoded.error().status, 400);
    }
}

TEST_F(CursorCodecTest, RejectsCursorOfAnotherQuery) {
    const std::string cursor =
        codec_.Encode({Keyset{nullptr, "id-1"}, false, "", std::nullopt}, hash_);
    const std::string other =
        CursorCodec::QueryHash("org-a", "User", "active eq false", "userName", false);
    auto decoded = codec_.Decode(cursor, other);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().scim_type, ScimType::kInvalidCursor);
}

TEST_F(CursorCodecTest, RejectsCursorOfAnotherOrganization) {
    const std::string cursor =
        codec_.Encode({Keyset{nullptr, "id-1"}, false, "", std::nullopt}, hash_);
    const std::string other =
        CursorCodec::QueryHash("org-b", "User", "active eq true", "userName", false);
    auto decoded = codec_.Decode(cursor, other);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().scim_type, ScimType::kInvalidCursor);
    EXPECT_EQ(decoded.error().status, 400);
}

TEST_F(CursorCodecTest, RejectsCursorSignedWithAnotherKey) {
    CursorCodec other("another secret", seconds(60), [this] { return now_; });
    auto decoded = codec_.Decode(
        other.Encode({Keyset{nullptr, "id-1"}, false, "", std::nullopt}, hash_), hash_);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().scim_type, ScimType::kInvalidCursor);
}

TEST_F(CursorCodecTest, ReportsExpiredCursorAfterTtl) {
    const std::string cursor =
        codec_.Encode({Keyset{nullptr, "id-1"}, false, "", std::nullopt}, hash_);
    now_ += seconds(59);
    EXPECT_TRUE(codec_.Decode(cursor, hash_).ok());
    now_ += seconds(2);
    auto decoded = codec_.Decode(cursor, hash_);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().scim_type, ScimType::kExpiredCursor);
}

TEST_F(CursorCodecTest, RejectsGarbage) {
    const std::string long_input(5000, 'a');
    for (const std::string input : {"", ".", "abc", "abc.def", "....", "%%%.%%%", "e30.e30",
                                    "\xff\xfe.\x00", long_input.c_str()}) {
        auto decoded = codec_.Decode(input, hash_);
        ASSERT_FALSE(decoded.ok()) << input;
        EXPECT_EQ(decoded.error().scim_type, ScimType::kInvalidCursor) << input;
    }
}

TEST(CursorQueryHashTest, DiffersWhenAnyPartDiffers) {
    const std::string base = CursorCodec::QueryHash("org-a", "User", "a eq 1", "userName", false);
    EXPECT_EQ(base, CursorCodec::QueryHash("org-a", "User", "a eq 1", "userName", false));
    EXPECT_NE(base, CursorCodec::QueryHash("org-a", "Group", "a eq 1", "userName", false));
    EXPECT_NE(base, CursorCodec::QueryHash("org-a", "User", "a eq 2", "userName", false));
    EXPECT_NE(base, CursorCodec::QueryHash("org-a", "User", "a eq 1", "displayName", false));
    EXPECT_NE(base, CursorCodec::QueryHash("org-a", "User", "a eq 1", "userName", true));
    EXPECT_NE(base, CursorCodec::QueryHash("org-b", "User", "a eq 1", "userName", false));
    // Moving text between parts must not collide.
    EXPECT_NE(CursorCodec::QueryHash("org-a", "User", "ab", "", false),
              CursorCodec::QueryHash("org-a", "User", "a", "b", false));
}

TEST(CursorCodecRandomKeyTest, EmptySecretStillSignsCursors) {
    CursorCodec codec("", seconds(60), nullptr);
    const std::string cursor =
        codec.Encode({Keyset{nullptr, "id-1"}, false, "", std::nullopt}, "h");
    EXPECT_TRUE(codec.Decode(cursor, "h").ok());
    CursorCodec other("", seconds(60), nullptr);
    EXPECT_FALSE(other.Decode(cursor, "h").ok());
}

}  // namespace
}  // namespace scim::service
