// opencv:hog, the dependency-free people detector, on real COCO images.

#include <gtest/gtest.h>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/detector.hpp"
#include "edgebench/error.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {

double best_person_iou(const std::vector<Detection>& detections, const BBox& truth) {
    double best = 0;
    for (const auto& d : detections) {
        if (d.category_id == 1) best = std::max(best, d.bbox.iou(truth));
    }
    return best;
}

}  // namespace

TEST(HogDetector, FindsStandingPeopleInCocoImages) {
    const auto json = test::coco_sample_json();
    if (json.empty()) GTEST_SKIP() << "../shared/data/coco-sample is not present";
    const auto dataset = CocoDataset::load(json);
    auto detector = make_detector("opencv:hog");
    // 463730: four people walking on a pavement, upright and uncluttered, as HOG's training data.
    const auto& sample = dataset.at(463730);
    const auto result = detector->detect(read_image(sample));
    ASSERT_FALSE(result.detections.empty());
    for (std::size_t i = 0; i < result.detections.size(); ++i) {
        const auto& d = result.detections[i];
        EXPECT_EQ(d.category_id, 1);
        EXPECT_GT(d.score, 0.5);  // the SVM's boundary maps to 0.5
        EXPECT_LT(d.score, 1.0);
        EXPECT_LE(d.bbox.right(), sample.width);
        EXPECT_LE(d.bbox.bottom(), sample.height);
        if (i > 0) {
            EXPECT_GE(result.detections[i - 1].score, d.score);
        }
    }
    int found = 0;
    for (const auto& annotation : sample.annotations) {
        if (annotation.category_id == 1 && best_person_iou(result.detections, annotation.bbox) > 0.6) ++found;
    }
    EXPECT_GE(found, 2);
    // 252219: the person in the middle of the street.
    const auto& street = dataset.at(252219);
    EXPECT_GT(best_person_iou(detector->detect(read_image(street)).detections, BBox{326.28, 174.56, 71.24, 197.25}), 0.5);

    const auto again = detector->clone()->detect(read_image(sample));
    EXPECT_EQ(again.detections, result.detections);
}

TEST(HogDetector, OptionsInfoAndBadInput) {
    DetectorOptions options;
    options.max_detections = 1;
    auto detector = make_detector("opencv:hog", options);
    EXPECT_EQ(detector->info().backend, "opencv");
    EXPECT_EQ(detector->info().family, "hog");
    ASSERT_EQ(detector->categories().size(), 1u);
    EXPECT_EQ(detector->categories()[0].name, "person");
    // Smaller than the 64x128 window: nothing to find, no crash.
    EXPECT_TRUE(detector->detect(cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(9))).detections.empty());
    EXPECT_TRUE(detector->detect(cv::Mat(100, 40, CV_8UC1, cv::Scalar::all(9))).detections.empty());
    EXPECT_LE(detector->detect(cv::Mat(300, 200, CV_8UC4, cv::Scalar::all(9))).detections.size(), 1u);
    EXPECT_THROW((void)detector->detect(cv::Mat()), Error);
    EXPECT_THROW((void)make_detector("opencv:haar"), Error);
    options.device = "cuda";
    EXPECT_THROW((void)make_detector("opencv:hog", options), Error);
}
