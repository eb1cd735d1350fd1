// `edgebench detect` and `edgebench models` as users run them.

#include <gtest/gtest.h>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/coco_results.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {

std::filesystem::path nanodet_model() {
    const auto data = test::shared_data();
    const auto path = data.empty() ? std::filesystem::path() : data / "models" / "nanodet-m-320.onnx";
    return !path.empty() && std::filesystem::exists(path) ? path : std::filesystem::path();
}

}  // namespace

TEST(CliDetect, NanoDetOnTheCocoSampleWritesResultsTheLoaderAccepts) {
    const auto json = test::coco_sample_json();
    if (json.empty() || nanodet_model().empty()) GTEST_SKIP() << "../shared/data is not present";
    test::TempDir dir;
    const auto out = dir / "dets.json";
    const auto run = test::run_command(test::cli_path() + " detect --model onnx:nanodet:" + nanodet_model().string() +
                                       " --dataset " + json.string() + " --limit 4 --score 0.3 --max-detections 5" +
                                       " --threads 1 --device cpu --out " + out.string());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("images: 4"), std::string::npos) << run.output;
    for (const char* column : {"prepare", "forward", "post"}) EXPECT_NE(run.output.find(column), std::string::npos);

    const auto dataset = CocoDataset::load(json).first(4);
    const auto results = load_coco_results(out, &dataset);
    std::size_t count = 0;
    for (const auto& [image_id, detections] : results) {
        EXPECT_NE(dataset.find(image_id), nullptr);
        EXPECT_LE(detections.size(), 5u);
        for (const auto& d : detections) EXPECT_GE(d.score, 0.3);
        count += detections.size();
    }
    EXPECT_GT(count, 0u);
}

TEST(CliDetect, HogOnASyntheticDatasetAndErrors) {
    test::TempDir dir;
    const auto made = test::run_command(test::cli_path() + " dataset synthetic --count 3 --width 160 --height 160 --out " +
                                        (dir / "s").string());
    ASSERT_EQ(made.status, 0) << made.output;
    const auto instances = dir / "s" / "instances.json";
    const auto run = test::run_command(test::cli_path() + " detect --model opencv:hog --dataset " + instances.string() +
                                       " --workers 2 --out " + (dir / "hog.json").string());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("images: 3"), std::string::npos) << run.output;
    EXPECT_NO_THROW((void)load_coco_results(dir / "hog.json"));

    const auto missing = test::run_command(test::cli_path() + " detect --model onnx:nanodet:" + (dir / "no.onnx").string() +
                                           " --dataset " + instances.string() + " --out " + (dir / "x.json").string());
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.output.find("no.onnx: model: model file not found"), std::string::npos) << missing.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "x.json"));

    const auto bad_score = test::run_command(test::cli_path() + " detect --model none --dataset " + instances.string() +
                                             " --score 2 --out " + (dir / "x.json").string());
    EXPECT_EQ(bad_score.status, 1);
    EXPECT_NE(bad_score.output.find("score_threshold"), std::string::npos) << bad_score.output;
    const auto no_out = test::run_command(test::cli_path() + " detect --model none --dataset " + instances.string());
    EXPECT_EQ(no_out.status, 2);
}

TEST(CliModels, ListsEveryBackendWithItsUsage) {
    const auto run = test::run_command(test::cli_path() + " models");
    ASSERT_EQ(run.status, 0) << run.output;
    for (const char* text : {"none", "onnx:{nanodet|fastestdet|yolov8|yolov5}[@SIZE]:PATH", "opencv:hog",
                             "where to get models"}) {
        EXPECT_NE(run.output.find(text), std::string::npos) << text << "\n" << run.output;
    }
    if (nanodet_model().empty()) return;
    // Run from inside the checkout, the shared models beside it are found and given as ready specs.
    const auto here = test::run_command("cd " + std::string(EDGEBENCH_SOURCE_DIR) + " && " + test::cli_path() + " models");
    EXPECT_NE(here.output.find("onnx:nanodet:"), std::string::npos) << here.output;
    EXPECT_NE(here.output.find("nanodet-m-320.onnx"), std::string::npos) << here.output;
    const auto env = test::run_command("cd / && EDGEBENCH_MODEL_DIR=" + nanodet_model().parent_path().string() + " " +
                                       test::cli_path() + " models");
    EXPECT_NE(env.output.find("onnx:fastestdet:"), std::string::npos) << env.output;
}
