#include <gtest/gtest.h>

#include "edgebench/coco_results.hpp"
#include "edgebench/error.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {
const char* kGroundTruth = R"({"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10},
                                          {"id": 2, "file_name": "b.jpg", "width": 10, "height": 10}],
                               "categories": [{"id": 3, "name": "x"}]})";

Error error_of(const std::string& text, const CocoDataset* gt = nullptr) {
    try {
        (void)parse_coco_results(text, gt, "dt.json");
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error for " << text;
    return Error("none");
}
}  // namespace

TEST(CocoResults, ParsesAndKeepsFileOrderPerImage) {
    const auto results = parse_coco_results(R"([
        {"image_id": 2, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5},
        {"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "score": 0.9},
        {"image_id": 2, "category_id": 3, "bbox": [5, 5, 1, 1], "score": 0.5}])");
    ASSERT_EQ(results.size(), 2u);
    ASSERT_EQ(results.at(2).size(), 2u);
    EXPECT_EQ(results.at(2)[0].bbox, (BBox{1, 2, 3, 4}));
    EXPECT_EQ(results.at(2)[1].bbox, (BBox{5, 5, 1, 1}));
    EXPECT_DOUBLE_EQ(results.at(1)[0].score, 0.9);
}

TEST(CocoResults, SaveLoadRoundTrip) {
    test::TempDir dir;
    DetectionsByImage detections;
    detections[7] = {{1, BBox{1.5, 2.25, 3, 4}, 0.75}, {2, BBox{0, 0, 0, 0}, 0.125}};
    detections[3] = {{1, BBox{10, 10, 5, 5}, 1.0}};
    save_coco_results(dir / "dt.json", detections);
    EXPECT_EQ(load_coco_results(dir / "dt.json"), detections);
}

TEST(CocoResults, BadEntriesAreNamed) {
    EXPECT_EQ(error_of(R"({"image_id": 1})").field(), "(top level)");
    EXPECT_EQ(error_of(R"([{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1]}])").field(), "[0].score");
    EXPECT_EQ(error_of(R"([{"image_id": "1", "category_id": 3, "bbox": [0, 0, 1, 1], "score": 1}])").field(), "[0].image_id");
    EXPECT_EQ(error_of(R"([{"image_id": 1, "category_id": 3, "bbox": [0, 0, -1, 1], "score": 1}])").field(), "[0].bbox");
    EXPECT_EQ(error_of(R"([{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1], "score": 1}])").field(), "[0].bbox");
    EXPECT_EQ(error_of(R"([{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "score": null}])").field(), "[0].score");
    EXPECT_NE(error_of("[{").message().find("invalid JSON"), std::string::npos);
    // A number beyond a double made nlohmann::json throw its own out_of_range (found by fuzzing).
    const auto overflow = error_of(R"([{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "score": 1e999}])");
    EXPECT_NE(overflow.message().find("too large"), std::string::npos) << overflow.message();
    EXPECT_EQ(overflow.file(), "dt.json");

    const auto gt = CocoDataset::parse(kGroundTruth, "/img");
    const auto unknown_image =
        error_of(R"([{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "score": 1},
                     {"image_id": 9, "category_id": 3, "bbox": [0, 0, 1, 1], "score": 1}])", &gt);
    EXPECT_EQ(unknown_image.field(), "[1].image_id");
    EXPECT_EQ(unknown_image.file(), "dt.json");
    EXPECT_EQ(error_of(R"([{"image_id": 1, "category_id": 4, "bbox": [0, 0, 1, 1], "score": 1}])", &gt).field(),
              "[0].category_id");
}
