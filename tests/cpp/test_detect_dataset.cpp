// detect_dataset: a detector over a whole dataset, on one or several workers.

#include <gtest/gtest.h>

#include "edgebench/detect_dataset.hpp"
#include "edgebench/error.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "test_support.hpp"

using namespace edgebench;

TEST(DetectDataset, WorkersWithClonesFindTheSameAsOne) {
    const auto json = test::coco_sample_json();
    const auto model = test::shared_data() / "models" / "nanodet-m-320.onnx";
    if (json.empty() || !std::filesystem::exists(model)) GTEST_SKIP() << "../shared/data is not present";
    const auto dataset = CocoDataset::load(json).first(6);
    auto detector = make_detector("onnx:nanodet:" + model.string());
    const auto one = detect_dataset(*detector, dataset);
    EXPECT_EQ(one.images, 6u);
    EXPECT_EQ(one.detections.size(), 6u);
    EXPECT_GT(one.detection_count(), 0u);
    EXPECT_GT(one.mean().forward_ms, 0);
    EXPECT_NEAR(one.mean().total_ms() * 6, one.total.total_ms(), 1e-6);

    std::vector<std::size_t> progress;
    DetectDatasetOptions options;
    options.workers = 3;
    options.progress = [&](std::size_t done, std::size_t total) {
        EXPECT_EQ(total, 6u);
        progress.push_back(done);
    };
    const auto three = detect_dataset(*detector, dataset, options);
    EXPECT_EQ(three.detections, one.detections);
    EXPECT_EQ(progress, (std::vector<std::size_t>{1, 2, 3, 4, 5, 6}));
}

TEST(DetectDataset, AnUnreadableImageStopsTheRunWithItsPath) {
    test::TempDir dir;
    SyntheticDatasetOptions options;
    options.image_count = 5;
    const auto dataset = generate_synthetic_dataset(options, dir.path());
    std::filesystem::remove(dataset[3].path);
    auto detector = make_detector("none");
    DetectDatasetOptions two;
    two.workers = 2;
    try {
        (void)detect_dataset(*detector, dataset, two);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.file(), dataset[3].path.string());
    }
    two.workers = 0;
    EXPECT_THROW((void)detect_dataset(*detector, dataset, two), Error);
    EXPECT_EQ(detect_dataset(*detector, CocoDataset()).images, 0u);
}
