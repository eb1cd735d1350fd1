#include <gtest/gtest.h>

#include "edgebench/category_table.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/error.hpp"
#include "test_support.hpp"

using namespace edgebench;

TEST(CategoryTable, LooksUpByIdAndKeepsOrder) {
    const CategoryTable table({{5, "five", "x"}, {2, "two", "y"}});
    EXPECT_EQ(table.size(), 2u);
    EXPECT_EQ(table.index_of(5), 0u);
    EXPECT_EQ(table.index_of(2), 1u);
    EXPECT_EQ(table.at(2).name, "two");
    EXPECT_TRUE(table.contains(5));
    EXPECT_FALSE(table.contains(3));
    EXPECT_EQ(table.find_by_name("five")->id, 5);
    EXPECT_FALSE(table.find_by_name("six").has_value());
    EXPECT_EQ(table.ids(), (std::vector<Id>{5, 2}));
}

TEST(CategoryTable, RejectsDuplicatesAndUnknownIds) {
    CategoryTable table({{1, "a", ""}});
    EXPECT_THROW(table.add({1, "b", ""}), Error);
    try {
        (void)table.at(7);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "category_id");
        EXPECT_NE(std::string(error.what()).find("7"), std::string::npos);
    }
}

TEST(CategoryTable, CocoTableHasTheEightyOfficialClasses) {
    const auto& coco = CategoryTable::coco();
    ASSERT_EQ(coco.size(), 80u);
    EXPECT_EQ(coco[0].id, 1);
    EXPECT_EQ(coco[0].name, "person");
    EXPECT_EQ(coco[11].id, 13);
    EXPECT_EQ(coco[11].name, "stop sign");
    EXPECT_EQ(coco[79].id, 90);
    EXPECT_EQ(coco[79].name, "toothbrush");
    for (const Id unused : {12, 26, 29, 30, 45, 66, 68, 69, 71, 83}) EXPECT_FALSE(coco.contains(unused)) << unused;
}

TEST(CategoryTable, CocoTableMatchesTheRealAnnotationFile) {
    const auto json = test::coco_sample_json();
    if (json.empty()) GTEST_SKIP() << "../shared/data/coco-sample is not present";
    const auto dataset = CocoDataset::load(json);
    EXPECT_EQ(dataset.categories(), CategoryTable::coco());
}
