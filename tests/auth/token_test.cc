#include "auth/token.h"

#include <cstdio>
#include <fstream>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace auth {
namespace {

// A Secret must not be printable or serialisable: these are the compile-time guards of
// STYLE.md §7, checked here so that adding an operator<< or to_json breaks the build.
template <typename T>
concept Streamable = requires(std::ostream& os, const T& value) {
    os << value;
};
static_assert(!Streamable<Secret>);
static_assert(!std::is_constructible_v<nlohmann::json, Secret>);
static_assert(!std::is_convertible_v<Secret, std::string>);
static_assert(!std::is_convertible_v<Secret, std::string_view>);

std::string MintText(TokenKind kind, std::string_view org_id) {
    auto token = Mint(kind, org_id);
    EXPECT_TRUE(token.ok()) << org_id;
    return token.ok() ? std::string(token->Reveal()) : std::string();
}

TEST(TokenTest, MintAndParseRoundTripEveryKind) {
    for (TokenKind kind : {TokenKind::kOrg, TokenKind::kWorkspace, TokenKind::kAdmin}) {
        std::string text = MintText(kind, "org-7Qx");
        SCOPED_TRACE(std::string(TokenKindName(kind)));
        EXPECT_TRUE(text.starts_with(TokenPrefix(kind)));
        auto parsed = Parse(text);
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(parsed->kind, kind);
        EXPECT_EQ(parsed->org_id, "org-7Qx");
        EXPECT_TRUE(parsed->checksum_ok);
    }
}

TEST(TokenTest, MintedTokenHasFixedTailAndOnlyBase62Randomness) {
    std::string text = MintText(TokenKind::kOrg, "acme");
    std::string_view tail =
        std::string_view(text).substr(std::string_view("scimd_osat_acme_").size());
    EXPECT_EQ(tail.size(), kRandomChars + kChecksumChars);
    for (char c : tail) {
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << text;
    }
}

TEST(TokenTest, MintedTokensDiffer) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        seen.insert(MintText(TokenKind::kOrg, "acme"));
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(TokenTest, MintRejectsOrgIdsThatCannotBeCarried) {
    for (std::string_view org_id :
         {"", "has_underscore", "has space", "ümlaut", "a/b",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
        auto token = Mint(TokenKind::kOrg, org_id);
        ASSERT_FALSE(token.ok()) << org_id;
        EXPECT_EQ(token.error().status, 400) << org_id;
    }
}

TEST(TokenTest, ChecksumDetectsEverySingleCharacterChangeAfterThePrefix) {
    const std::string text = MintText(TokenKind::kWorkspace, "acme");
    const std::string_view alphabet =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    for (std::size_t i = TokenPrefix(TokenKind::kWorkspace).size(); i < text.size(); ++i) {
        for (char c : alphabet) {
            if (c == text[i]) {
                continue;
            }
            std::string changed = text;
            changed[i] = c;
            auto parsed = Parse(changed);
            // Either the shape breaks, or the CRC catches it (CRC32 detects every burst of up to
            // 32 bits, so one changed byte can never keep the same checksum).
            EXPECT_TRUE(!parsed || !parsed->checksum_ok) << "position " << i << " char " << c;
        }
    }
}

TEST(TokenTest, ParseRejectsMalformedText) {
    const std::string good = MintText(TokenKind::kOrg, "acme");
    const std::vector<std::string> bad = {
        "",
        "scimd_",
        "scimd_osat_",
        "scimd_xsat_acme_" + good.substr(good.size() - 34),
        "scimd_osat_acme",
        "scimd_osat__" + good.substr(good.size() - 34),
        good.substr(0, good.size() - 1),
        good + "0",
        " " + good,
        good + " ",
        "SCIMD_OSAT_acme_" + good.substr(good.size() - 34),
        "scimd_osat_ac_me_" + good.substr(good.size() - 34),
        "Bearer " + good,
    };
    for (const std::string& text : bad) {
        EXPECT_FALSE(Parse(text).has_value()) << text;
    }
}

TEST(TokenTest, ParseNeverCrashesOnGarbage) {
    std::mt19937 rng(20261204);
    const std::string good = MintText(TokenKind::kAdmin, "acme");
    std::vector<std::string> inputs = {std::string(1, '\0'), std::string(4096, '_'),
                                       std::string("scimd_osat_\0\0\0", 14), "scimd_akey_-_",
                                       std::string(100000, 'a')};
    for (int i = 0; i < 5000; ++i) {
        std::string s = (i % 2 == 0) ? good : std::string();
        std::size_t edits = rng() % 8;
        for (std::size_t e = 0; e < edits || s.empty(); ++e) {
            std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
            switch (rng() % 3) {
                case 0:
                    s.insert(s.begin() + static_cast<long>(pos), static_cast<char>(rng() % 256));
                    break;
                case 1:
                    if (pos < s.size()) {
                        s.erase(pos, 1 + rng() % 3);
                    }
                    break;
                default:
                    if (pos < s.size()) {
                        s[pos] = static_cast<char>(rng() % 256);
                    }
            }
        }
        inputs.push_back(s);
    }
    for (const std::string& input : inputs) {
        auto parsed = Parse(input);
        if (parsed && parsed->checksum_ok) {
            // Only text of the exact token shape may parse with a good checksum.
            EXPECT_TRUE(input.starts_with("scimd_"));
        }
        (void)Hint(input);
    }
}

TEST(TokenTest, HintShowsPrefixAndLastFourOnly) {
    const std::string text = MintText(TokenKind::kOrg, "acme");
    EXPECT_EQ(Hint(text), "scimd_osat_..." + text.substr(text.size() - 4));
    EXPECT_EQ(Hint("not a token"), "invalid");
    EXPECT_EQ(Hint(""), "invalid");
}

TEST(TokenTest, KindNamesRoundTrip) {
    for (TokenKind kind : {TokenKind::kOrg, TokenKind::kWorkspace, TokenKind::kAdmin}) {
        EXPECT_EQ(TokenKindFromName(TokenKindName(kind)), kind);
    }
    EXPECT_FALSE(TokenKindFromName("Org").has_value());
    EXPECT_EQ(CredentialKindOf(TokenKind::kWorkspace), scim::CredentialKind::kWorkspaceSat);
    EXPECT_EQ(CredentialKindOf(TokenKind::kAdmin), scim::CredentialKind::kAdminKey);
}

TEST(TokenHashTest, UnpepperedHashIsPlainBlake2b256) {
    // BLAKE2b-256 of "abc" (RFC 7693 reference implementation, 32-byte digest).
    TokenHash h = Hash(std::string_view("abc"), Pepper());
    const TokenHash expected = {0xbd, 0xdd, 0x81, 0x3c, 0x63, 0x42, 0x39, 0x72, 0x31, 0x71, 0xef,
                                0x3f, 0xee, 0x98, 0x57, 0x9b, 0x94, 0x96, 0x4e, 0x3b, 0xb1, 0xcb,
                                0x3e, 0x42, 0x72, 0x62, 0xc8, 0xc0, 0x68, 0xd5, 0x23, 0x19};
    EXPECT_EQ(h, expected);
}

TEST(TokenHashTest, PepperChangesTheHash) {
    const std::string text = MintText(TokenKind::kOrg, "acme");
    auto pepper = Pepper::FromBytes(Secret(std::string(32, 'k')));
    ASSERT_TRUE(pepper.ok());
    auto other = Pepper::FromBytes(Secret(std::string(32, 'j')));
    ASSERT_TRUE(other.ok());

    TokenHash plain = Hash(text, Pepper());
    TokenHash peppered = Hash(text, *pepper);
    EXPECT_FALSE(HashesEqual(plain, peppered));
    EXPECT_FALSE(HashesEqual(peppered, Hash(text, *other)));
    EXPECT_TRUE(HashesEqual(peppered, Hash(Secret(text), *pepper)));
    EXPECT_TRUE(HashesEqual(plain, Hash(text, Pepper())));
}

TEST(TokenHashTest, PepperMustBeSixteenToSixtyFourBytes) {
    EXPECT_FALSE(Pepper::FromBytes(Secret(std::string(15, 'k'))).ok());
    EXPECT_TRUE(Pepper::FromBytes(Secret(std::string(16, 'k'))).ok());
    EXPECT_TRUE(Pepper::FromBytes(Secret(std::string(64, 'k'))).ok());
    EXPECT_FALSE(Pepper::FromBytes(Secret(std::string(65, 'k'))).ok());
}

TEST(TokenHashTest, PepperFileDropsOneTrailingNewlineAndErrorsHideTheKey) {
    const std::string path = testing::TempDir() + "/scimd_pepper_test";
    {
        std::ofstream out(path, std::ios::binary);
        out << std::string(32, 'p') << "\n";
    }
    auto from_file = Pepper::FromFile(path);
    ASSERT_TRUE(from_file.ok());
    auto direct = Pepper::FromBytes(Secret(std::string(32, 'p')));
    ASSERT_TRUE(direct.ok());
    EXPECT_TRUE(
        HashesEqual(Hash(std::string_view("x"), *from_file), Hash(std::string_view("x"), *direct)));

    {
        std::ofstream out(path, std::ios::binary);
        out << "short-secret-key";
        out << "\n\n";
    }
    auto short_key = Pepper::FromFile(path);
    EXPECT_TRUE(short_key.ok());  // 16 bytes plus one extra newline: 17 bytes, within range
    {
        std::ofstream out(path, std::ios::binary);
        out << "tiny-secret";
    }
    auto tiny = Pepper::FromFile(path);
    ASSERT_FALSE(tiny.ok());
    EXPECT_EQ(tiny.error().internal.find("tiny-secret"), std::string::npos);
    std::remove(path.c_str());
    EXPECT_FALSE(Pepper::FromFile(path).ok());
}

TEST(SecretTest, MovedFromSecretIsEmpty) {
    Secret a(std::string("value"));
    Secret b(std::move(a));
    EXPECT_EQ(b.Reveal(), "value");
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
    Secret c;
    c = b;
    EXPECT_EQ(c.Reveal(), "value");
}

}  // namespace
}  // namespace auth
