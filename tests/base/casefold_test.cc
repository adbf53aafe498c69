#include "scim/casefold.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

TEST(FoldCaseTest, FoldsAsciiAndUnicode) {
    EXPECT_EQ(FoldCase("BJensen@Example.COM"), "bjensen@example.com");
    EXPECT_EQ(FoldCase("STRASSE"), FoldCase("straße"));
    EXPECT_EQ(FoldCase("ÅNGSTRÖM"), FoldCase("ångström"));
    EXPECT_EQ(FoldCase(""), "");
}

TEST(FoldCaseTest, NormalisesCompatibilityForms) {
    // U+212B ANGSTROM SIGN and U+00C5 fold to the same key.
    EXPECT_EQ(FoldCase("\u212B"), FoldCase("\u00C5"));
}

TEST(FoldCaseTest, ReturnsInvalidUtf8Unchanged) {
    const std::string bad = "ab\xff";
    EXPECT_EQ(FoldCase(bad), bad);
}

TEST(IsValidUtf8Test, AcceptsWellFormedAndRejectsMalformed) {
    EXPECT_TRUE(IsValidUtf8("plain"));
    EXPECT_TRUE(IsValidUtf8("straße ✓"));
    EXPECT_TRUE(IsValidUtf8(""));
    EXPECT_FALSE(IsValidUtf8("\xc3"));          // truncated sequence
    EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // UTF-16 surrogate
    EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong
}

}  // namespace
}  // namespace scim
