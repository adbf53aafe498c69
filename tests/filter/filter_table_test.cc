// Runs the shared filter table (filter_cases.json over filter_fixture.json) against the
// in-memory evaluator.
#include "filter/filter_table.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "scim/filter/filter.h"

namespace scim::filter {
namespace {

using testing::FilterCase;

class FilterTableTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto loaded = schemas::Registry::Load();
        ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
        registry_ = *loaded;
    }
    static void TearDownTestSuite() { registry_.reset(); }

    static std::shared_ptr<const schemas::Registry> registry_;
};

std::shared_ptr<const schemas::Registry> FilterTableTest::registry_;

TEST_F(FilterTableTest, TableIsLargeAndCoversBothResourceTypes) {
    const auto cases = testing::LoadFilterCases();
    EXPECT_GE(std::count_if(cases.begin(), cases.end(),
                            [](const FilterCase& c) { return c.error.empty(); }),
              150);
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(),
                            [](const FilterCase& c) { return c.type == "Group"; }));
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(),
                            [](const FilterCase& c) { return !c.error.empty(); }));
}

TEST_F(FilterTableTest, EvaluatorMatchesExactlyTheExpectedIds) {
    const nlohmann::json fixture = testing::LoadFilterFixture();
    ASSERT_TRUE(fixture.is_object());
    const auto cases = testing::LoadFilterCases();
    ASSERT_FALSE(cases.empty());
    for (const FilterCase& c : cases) {
        SCOPED_TRACE(c.type + ": " + c.filter);
        const schemas::ResourceType* type = registry_->FindResourceType(c.type);
        ASSERT_NE(type, nullptr);
        auto bound = BoundFilter::Create(c.filter, *registry_, *type);
        if (!c.error.empty()) {
            ASSERT_FALSE(bound.ok());
            EXPECT_EQ(ScimTypeName(*bound.error().scim_type), c.error);
            continue;
        }
        ASSERT_TRUE(bound.ok()) << bound.error().detail;
        std::vector<std::string> matched;
        for (const auto& [id, resource] : testing::RenderedFixture(fixture, c.type)) {
            if (Matches(*bound, resource)) {
                matched.push_back(id);
            }
        }
        std::vector<std::string> expected = c.ids;
        std::sort(expected.begin(), expected.end());
        std::sort(matched.begin(), matched.end());
        EXPECT_EQ(matched, expected);
    }
}

}  // namespace
}  // namespace scim::filter
