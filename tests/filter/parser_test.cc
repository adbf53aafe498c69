#include "scim/filter/parser.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace scim::filter {
namespace {

struct ValidCase {
    std::string input;
    std::string printed;
};

// Each filter and its canonical print (ast.h ToString): shows the tree the parser built.
const std::vector<ValidCase> kValid = {
    {R"(userName eq "bjensen")", R"(userName eq "bjensen")"},
    {R"(userName Eq "bjensen")", R"(userName eq "bjensen")"},
    {R"(userName EQ "bjensen")", R"(userName eq "bjensen")"},
    {R"(name.familyName co "O'Malley")", R"(name.familyName co "O'Malley")"},
    {R"(userName sw "J")", R"(userName sw "J")"},
    {R"(userName ew "son")", R"(userName ew "son")"},
    {R"(userName ne "x")", R"(userName ne "x")"},
    {R"(title pr)", R"(title pr)"},
    {R"(title PR)", R"(title pr)"},
    {R"(meta.lastModified gt "2011-05-13T04:42:34Z")",
     R"(meta.lastModified gt "2011-05-13T04:42:34Z")"},
    {R"(meta.lastModified ge "2011-05-13T04:42:34Z")",
     R"(meta.lastModified ge "2011-05-13T04:42:34Z")"},
    {R"(meta.lastModified lt "2011-05-13T04:42:34Z")",
     R"(meta.lastModified lt "2011-05-13T04:42:34Z")"},
    {R"(meta.lastModified le "2011-05-13T04:42:34Z")",
     R"(meta.lastModified le "2011-05-13T04:42:34Z")"},
    {R"(title pr and userType eq "Employee")", R"((title pr and userType eq "Employee"))"},
    {R"(title pr or userType eq "Intern")", R"((title pr or userType eq "Intern"))"},
    {R"(a pr or b pr and c pr)", R"((a pr or (b pr and c pr)))"},
    {R"(a pr and b pr or c pr)", R"(((a pr and b pr) or c pr))"},
    {R"(a pr and b pr and c pr)", R"(((a pr and b pr) and c pr))"},
    {R"(a pr or b pr or c pr)", R"(((a pr or b pr) or c pr))"},
    {R"((a pr or b pr) and c pr)", R"(((a pr or b pr) and c pr))"},
    {R"(a pr AND b pr Or c pr)", R"(((a pr and b pr) or c pr))"},
    {R"(not (a pr))", R"(not(a pr))"},
    {R"(not(a pr))", R"(not(a pr))"},
    {R"(NOT (a pr))", R"(not(a pr))"},
    {R"(not (a pr) and b pr)", R"((not(a pr) and b pr))"},
    {R"(b pr and not (a pr or c pr))", R"((b pr and not((a pr or c pr))))"},
    {R"(not (not (a pr)))", R"(not(not(a pr)))"},
    {R"(((a pr)))", R"(a pr)"},
    {R"(  a pr  )", R"(a pr)"},
    {"a\tpr", R"(a pr)"},
    {R"(userType eq "Employee" and (emails co "example.com" or emails.value co "example.org"))",
     R"((userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")))"},
    {R"(userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org"))",
     R"((userType ne "Employee" and not((emails co "example.com" or emails.value co "example.org"))))"},
    {R"(userType eq "Employee" and (emails.type eq "work"))",
     R"((userType eq "Employee" and emails.type eq "work"))"},
    {R"(userType eq "Employee" and emails[type eq "work" and value co "@example.com"])",
     R"((userType eq "Employee" and emails[(type eq "work" and value co "@example.com")]))"},
    {R"(emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"])",
     R"((emails[(type eq "work" and value co "@example.com")] or ims[(type eq "xmpp" and value co "@foo.com")]))"},
    {R"(emails[not (type eq "work")])", R"(emails[not(type eq "work")])"},
    {R"(emails[(type eq "work")])", R"(emails[type eq "work"])"},
    {R"(emails[ type eq "work" ])", R"(emails[type eq "work"])"},
    {R"(members[value eq "2819c223"])", R"(members[value eq "2819c223"])"},
    {R"(members[$ref pr])", R"(members[$ref pr])"},
    {R"(urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J")",
     R"(urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J")"},
    {R"(urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "B")",
     R"(urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "B")"},
    {R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915")",
     R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915")"},
    {R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr)",
     R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr)"},
    {R"(active eq true)", R"(active eq true)"},
    {R"(active eq TRUE)", R"(active eq true)"},
    {R"(active eq False)", R"(active eq false)"},
    {R"(manager eq null)", R"(manager eq null)"},
    {R"(manager eq NULL)", R"(manager eq null)"},
    {R"(x eq 42)", R"(x eq 42)"},
    {R"(x eq -7)", R"(x eq -7)"},
    {R"(x eq 0)", R"(x eq 0)"},
    {R"(x gt 1.5)", R"(x gt 1.5)"},
    {R"(x lt -2.5e3)", R"(x lt -2500.0)"},
    {R"(x le 1E2)", R"(x le 100.0)"},
    {R"(x eq 99999999999999999999)", R"(x eq 1e+20)"},
    {R"(x eq "")", R"(x eq "")"},
    {R"(x eq "a\"b")", R"(x eq "a\"b")"},
    {R"(x eq "a\\b")", R"(x eq "a\\b")"},
    {R"(x eq "a\/b")", R"(x eq "a/b")"},
    {R"(x eq "tab\there")", R"(x eq "tab\there")"},
    {R"(x eq "\u00e9")", "x eq \"\xC3\xA9\""},
    {R"(x eq "\uD83D\uDE00")", "x eq \"\xF0\x9F\x98\x80\""},
    {"x eq \"\xC3\xA9mile\"", "x eq \"\xC3\xA9mile\""},
    {R"(x eq "and or not")", R"(x eq "and or not")"},
    {R"(order pr)", R"(order pr)"},
    {R"(android pr and notes pr)", R"((android pr and notes pr))"},
    {R"(not pr)", R"(not pr)"},
    {R"(x-y_z pr)", R"(x-y_z pr)"},
    {R"((a eq "x")and(b eq "y"))", R"((a eq "x" and b eq "y"))"},
    {R"(a pr and emails[type eq "work"])", R"((a pr and emails[type eq "work"]))"},
    {R"(emails[type eq "work"] and a pr)", R"((emails[type eq "work"] and a pr))"},
    {R"(emails[type eq "a" or type eq "b"])", R"(emails[(type eq "a" or type eq "b")])"},
    {R"(groups.value eq "g1")", R"(groups.value eq "g1")"},
};

struct InvalidCase {
    std::string input;
    std::size_t position;
};

// Each bad filter and the byte position the error must name.
const std::vector<InvalidCase> kInvalid = {
    {"", 0},
    {"   ", 3},
    {"userName", 8},
    {"userName eq", 11},
    {"userName eq ", 12},
    {"userName xx \"a\"", 9},
    {"userName eq bjensen", 12},
    {"userName eq \"bjensen", 20},
    {"userName eq 'bjensen'", 12},
    {"(userName pr", 12},
    {"userName pr)", 11},
    {"userName pr and", 15},
    {"userName pr or", 14},
    {"and userName pr", 4},
    {"userName pr userName pr", 12},
    {"userName pr and or b pr", 19},
    {"not userName pr", 4},
    {"not (userName pr", 16},
    {"emails[type eq \"work\"", 21},
    {"emails[type eq \"work\"]]", 22},
    {"emails[]", 7},
    {"emails[type eq \"work\"].value eq \"x\"", 22},
    {"emails.value[type eq \"work\"]", 12},
    {"emails[ims[type pr]]", 10},
    {"1abc pr", 0},
    {"name..givenName pr", 5},
    {"name.givenName.x pr", 5},
    {"name. pr", 5},
    {"urn:foo: pr", 8},
    {":name pr", 0},
    {"x eq 01", 6},
    {"x eq -", 6},
    {"x eq 1.", 7},
    {"x eq 1e", 7},
    {"x eq 1e999", 5},
    {"x eq \"\\x\"", 7},
    {"x eq \"\\u12\"", 10},
    {"x eq \"\\uDE00\"", 6},
    {"x eq \"\\uD83Dx\"", 12},
    {"x eq \"a\nb\"", 7},
    {"x eq \"abc\\", 10},
    {"x eq truex", 5},
    {"x eq \"a\"b", 8},
    {"x eq 5x", 6},
    {"xpr", 3},
    {"x pr\x01", 4},
    {"x eq \"\xFF\"", 0},
    {"x eq \"\xC3\"", 0},
    {"()", 1},
    {"(", 1},
    {")", 0},
    {"[", 0},
    {"x[", 2},
    {"x eq \"a\" and", 12},
    {"x pr !", 5},
};

TEST(FilterParserTest, ParsesValidFiltersIntoTheExpectedTree) {
    for (const auto& c : kValid) {
        SCOPED_TRACE(c.input);
        auto parsed = Parse(c.input);
        ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
        EXPECT_EQ(ToString(**parsed), c.printed);
    }
}

TEST(FilterParserTest, RejectsInvalidFiltersAtTheRightPosition) {
    for (const auto& c : kInvalid) {
        SCOPED_TRACE(c.input);
        auto parsed = Parse(c.input);
        ASSERT_FALSE(parsed.ok()) << ToString(**parsed);
        EXPECT_EQ(parsed.error().status, 400);
        EXPECT_EQ(parsed.error().scim_type, ScimType::kInvalidFilter);
        EXPECT_NE(parsed.error().detail.find("at position " + std::to_string(c.position) + ":"),
                  std::string::npos)
            << parsed.error().detail;
    }
}

TEST(FilterParserTest, ErrorDetailSaysWhatWasExpected) {
    auto parsed = Parse("userName xx \"a\"");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().detail,
              "invalid filter at position 9: expected an operator (eq, ne, co, sw, ew, gt, ge, "
              "lt, le, pr)");
}

TEST(FilterParserTest, RecordsPathPartsAndPositions) {
    auto parsed = Parse(
        R"(a pr and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x")");
    ASSERT_TRUE(parsed.ok());
    const Node& right = *(*parsed)->children[1];
    EXPECT_EQ(right.path.urn, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
    EXPECT_EQ(right.path.name, "manager");
    EXPECT_EQ(right.path.sub, "value");
    EXPECT_EQ(right.path.position, 9u);
    EXPECT_EQ(right.position, 9u);
}

TEST(FilterParserTest, MarksPathsInsideValuePaths) {
    auto parsed = Parse(R"(emails[type eq "work"])");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ((*parsed)->kind, NodeKind::kValuePath);
    EXPECT_FALSE((*parsed)->path.in_value_path);
    EXPECT_TRUE((*parsed)->children[0]->path.in_value_path);
    EXPECT_EQ((*parsed)->children[0]->path.name, "type");
}

TEST(FilterParserTest, KeepsIntegersAndDecimalsApart) {
    auto integer = Parse("x eq 12");
    auto decimal = Parse("x eq 12.0");
    ASSERT_TRUE(integer.ok() && decimal.ok());
    EXPECT_TRUE((*integer)->value.is_number_integer());
    EXPECT_TRUE((*decimal)->value.is_number_float());
}

TEST(FilterParserTest, RejectsFiltersLongerThanTheLimit) {
    std::string text = "userName eq \"" + std::string(kMaxFilterLength, 'a') + "\"";
    auto parsed = Parse(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().scim_type, ScimType::kInvalidFilter);
    std::string at_limit = "userName eq \"" + std::string(kMaxFilterLength - 14, 'a') + "\"";
    ASSERT_EQ(at_limit.size(), kMaxFilterLength);
    EXPECT_TRUE(Parse(at_limit).ok());
}

std::string Nested(int depth) {
    return std::string(depth, '(') + "a pr" + std::string(depth, ')');
}

TEST(FilterParserTest, RejectsNestingDeeperThanTheLimit) {
    EXPECT_TRUE(Parse(Nested(kMaxFilterDepth)).ok());
    auto parsed = Parse(Nested(kMaxFilterDepth + 1));
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().detail.find("levels of nesting"), std::string::npos);
    std::string nots;
    for (int i = 0; i <= kMaxFilterDepth; ++i) {
        nots += "not (";
    }
    EXPECT_FALSE(Parse(nots + "a pr" + std::string(kMaxFilterDepth + 1, ')')).ok());
}

TEST(FilterParserTest, AcceptsLongFlatChains) {
    std::string text = "a pr";
    while (text.size() + 9 < kMaxFilterLength) {
        text += " and a pr";
    }
    EXPECT_TRUE(Parse(text).ok());
}

TEST(FilterParserTest, NeverFailsOnArbitraryBytes) {
    // A small deterministic fuzz: every prefix and byte mutation of a rich filter must either
    // parse or give invalidFilter, and never crash.
    const std::string seed =
        R"(not (emails[type eq "w\u00e9" or value co "@x"]) and urn:a:b:name.givenName ge -1.5e3)";
    std::uint32_t state = 12345;
    for (int round = 0; round < 4000; ++round) {
        std::string text = seed.substr(0, round % (seed.size() + 1));
        state = state * 1103515245u + 12345u;
        if (!text.empty()) {
            text[state % text.size()] = static_cast<char>((state >> 8) & 0xFF);
        }
        auto parsed = Parse(text);
        if (!parsed.ok()) {
            EXPECT_EQ(parsed.error().scim_type, ScimType::kInvalidFilter);
        }
    }
}

}  // namespace
}  // namespace scim::filter
