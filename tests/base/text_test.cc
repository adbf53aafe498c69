#include "scim/text.h"

#include <string>

#include <gtest/gtest.h>

namespace scim {
namespace {

TEST(TextTest, TrimBlanksDropsSpacesAndTabsAtBothEnds) {
    EXPECT_EQ(TrimBlanks(" \tuserName\t "), "userName");
    EXPECT_EQ(TrimBlanks("a b"), "a b");
    EXPECT_EQ(TrimBlanks(" \t "), "");
}

TEST(TextTest, AlnumOrAdmitsLettersDigitsAndTheGivenOthersOnly) {
    EXPECT_TRUE(AlnumOr("utf-8", "-"));
    EXPECT_TRUE(AlnumOr("", "-"));
    EXPECT_FALSE(AlnumOr("utf 8", "-"));
    EXPECT_FALSE(AlnumOr("caf\xC3\xA9", "-"));  // letters are ASCII letters
}

TEST(TextTest, ShortenedKeepsShortTextAndCutsLongTextOnACharacterBoundary) {
    EXPECT_EQ(Shortened("short", 64), "short");
    EXPECT_EQ(Shortened(std::string(64, 'x'), 64), std::string(64, 'x'));
    EXPECT_EQ(Shortened(std::string(65, 'x'), 64), std::string(64, 'x') + "...");
    // "é" is two bytes; a cut at byte 4 of "abcé..." would split it, so it falls back to 3.
    EXPECT_EQ(Shortened("abc\xC3\xA9zzzz", 4), "abc...");
    EXPECT_EQ(Shortened("abc\xC3\xA9zzzz", 5), "abc\xC3\xA9...");
}

}  // namespace
}  // namespace scim
