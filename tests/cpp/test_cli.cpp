#include <gtest/gtest.h>

#include "edgebench/coco_dataset.hpp"
#include "test_support.hpp"

using namespace edgebench;

TEST(Cli, HelpAndUnknownCommands) {
    const auto help = test::run_command(test::cli_path() + " --help");
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.output.find("dataset"), std::string::npos);
    const auto unknown = test::run_command(test::cli_path() + " frobnicate");
    EXPECT_EQ(unknown.status, 2);
    EXPECT_NE(unknown.output.find("unknown command 'frobnicate'"), std::string::npos);
    const auto bad_option = test::run_command(test::cli_path() + " dataset synthetic --nope 3");
    EXPECT_EQ(bad_option.status, 2);
    EXPECT_NE(bad_option.output.find("--nope"), std::string::npos);
}

TEST(Cli, SyntheticDatasetThenPreprocessTable) {
    test::TempDir dir;
    const auto made = test::run_command(test::cli_path() + " dataset synthetic --count 6 --seed 3 --out " + dir.path().string());
    ASSERT_EQ(made.status, 0) << made.output;
    const auto dataset = CocoDataset::load(dir / "instances.json");
    EXPECT_EQ(dataset.size(), 6u);

    const auto table = test::run_command(test::cli_path() + " preprocess --dataset " + (dir / "instances.json").string() +
                                         " --config quality=50,resize=75 --config 'BW,1,quality,10%,resize,50%'");
    ASSERT_EQ(table.status, 0) << table.output;
    EXPECT_NE(table.output.find("grayscale=0,resize=75,format=jpeg,quality=50"), std::string::npos) << table.output;
    EXPECT_NE(table.output.find("grayscale=1,resize=50,format=jpeg,quality=10"), std::string::npos) << table.output;
}

TEST(Cli, BadInputGivesOneReadableLineAndAnExitCode) {
    test::TempDir dir;
    const auto missing = test::run_command(test::cli_path() + " preprocess --dataset " + (dir / "nope.json").string());
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.output.find("nope.json: file not found"), std::string::npos) << missing.output;

    test::write_text(dir / "bad.json", R"({"images": [], "categories": [{"id": "x", "name": "a"}]})");
    const auto bad = test::run_command(test::cli_path() + " preprocess --dataset " + (dir / "bad.json").string());
    EXPECT_EQ(bad.status, 1);
    EXPECT_NE(bad.output.find("categories[0].id: expected an integer"), std::string::npos) << bad.output;

    const auto bad_config =
        test::run_command(test::cli_path() + " dataset synthetic --count 2 --out " + (dir / "s").string() + " && " +
                          test::cli_path() + " preprocess --dataset " + (dir / "s" / "instances.json").string() +
                          " --config quality=0");
    EXPECT_EQ(bad_config.status, 1);
    EXPECT_NE(bad_config.output.find("quality: must be between 1 and 100"), std::string::npos) << bad_config.output;
}

TEST(Cli, SubsetByCategoriesOfTheSyntheticSet) {
    test::TempDir dir;
    const auto made = test::run_command(test::cli_path() + " dataset synthetic --count 6 --out " + (dir / "s").string());
    ASSERT_EQ(made.status, 0) << made.output;
    const std::string subset = test::cli_path() + " dataset subset --dataset " + (dir / "s" / "instances.json").string();
    const auto kept = test::run_command(subset + " --categories 1,4 --out " + (dir / "sub").string());
    ASSERT_EQ(kept.status, 0) << kept.output;
    const auto dataset = CocoDataset::load(dir / "sub" / "instances.json");
    ASSERT_GT(dataset.annotation_count(), 0u);
    for (const auto& sample : dataset) {
        for (const auto& annotation : sample.annotations) {
            EXPECT_TRUE(annotation.category_id == 1 || annotation.category_id == 4) << annotation.category_id;
        }
    }
    for (const std::string bad : {"1,,4", "1,x", "", "4,"}) {
        const auto refused = test::run_command(subset + " --categories '" + bad + "' --out " + (dir / "bad").string());
        EXPECT_EQ(refused.status, 2) << bad << ": " << refused.output;
        EXPECT_NE(refused.output.find("--categories expects comma-separated whole numbers, got '" + bad + "'"),
                  std::string::npos) << refused.output;
    }
}

TEST(Cli, SubsetOfTheCocoSample) {
    const auto json = test::coco_sample_json();
    if (json.empty()) GTEST_SKIP() << "../shared/data/coco-sample is not present";
    test::TempDir dir;
    const auto result = test::run_command(test::cli_path() + " dataset subset --dataset " + json.string() +
                                          " --random 10 --seed 5 --out " + (dir / "sub").string());
    ASSERT_EQ(result.status, 0) << result.output;
    const auto subset = CocoDataset::load(dir / "sub" / "instances.json");
    EXPECT_EQ(subset.size(), 10u);
    for (const auto& sample : subset) EXPECT_FALSE(read_image(sample).empty());
}
