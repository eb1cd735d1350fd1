#include <gtest/gtest.h>

#include "edgebench/detector.hpp"
#include "edgebench/error.hpp"

using namespace edgebench;

TEST(DetectorSpec, SplitsBackendAndRest) {
    const auto spec = DetectorSpec::parse("onnx:nanodet:/models/a:b.onnx");
    EXPECT_EQ(spec.backend, "onnx");
    EXPECT_EQ(spec.rest, "nanodet:/models/a:b.onnx");
    EXPECT_EQ(DetectorSpec::parse("none").rest, "");
    EXPECT_THROW((void)DetectorSpec::parse(""), Error);
    EXPECT_THROW((void)DetectorSpec::parse(":x"), Error);
}

TEST(DetectorRegistry, NoneDetectsNothing) {
    auto detector = make_detector("none");
    const cv::Mat image(10, 10, CV_8UC3, cv::Scalar::all(0));
    EXPECT_TRUE(detector->detect(image).detections.empty());
    EXPECT_TRUE(detector->thread_safe());
    EXPECT_EQ(detector->info().backend, "none");
    EXPECT_TRUE(detector->clone()->detect(image).detections.empty());
    EXPECT_THROW((void)detector->detect(cv::Mat()), Error);
    EXPECT_THROW((void)make_detector("none:extra"), Error);
}

TEST(DetectorRegistry, UnknownBackendListsTheKnownOnes) {
    try {
        (void)make_detector("tensorrt:model.plan");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "model");
        EXPECT_NE(error.message().find("unknown detector backend 'tensorrt'"), std::string::npos);
        EXPECT_NE(error.message().find("none"), std::string::npos);
    }
}

TEST(DetectorRegistry, UserBackendsAreBuiltBySpec) {
    class Fixed final : public Detector {
    public:
        explicit Fixed(DetectorOptions options) : options_(std::move(options)) {}
        DetectionResult detect(const cv::Mat&) override { return {{{1, BBox{1, 2, 3, 4}, 0.9}}, {}}; }
        std::unique_ptr<Detector> clone() const override { return std::make_unique<Fixed>(options_); }
        const CategoryTable& categories() const override { return CategoryTable::coco(); }
        DetectorInfo info() const override { return {"fixed", "fixed", "", "", 0, 0, "cpu"}; }
        const DetectorOptions& options() const override { return options_; }

    private:
        DetectorOptions options_;
    };
    auto registry = DetectorRegistry::with_builtin_backends();
    registry.add({"fixed", "fixed", "always one box", [](const DetectorSpec&, const DetectorOptions& options) {
                      return std::make_unique<Fixed>(options);
                  }});
    EXPECT_TRUE(registry.contains("fixed"));
    const auto result = registry.create("fixed")->detect(cv::Mat(4, 4, CV_8UC3));
    ASSERT_EQ(result.detections.size(), 1u);
    EXPECT_EQ(result.detections[0].bbox, (BBox{1, 2, 3, 4}));
    EXPECT_THROW(registry.add({"bad:name", "", "", [](const DetectorSpec&, const DetectorOptions&) {
                                   return std::unique_ptr<Detector>();
                               }}),
                 Error);
}

TEST(DetectorOptions, ValidationNamesTheOption) {
    DetectorOptions options;
    options.score_threshold = 1.5;
    try {
        options.validate();
        FAIL();
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "score_threshold");
    }
    options = {};
    options.device = "tpu";
    EXPECT_THROW(options.validate(), Error);
    options.device = "cuda:1";
    EXPECT_NO_THROW(options.validate());
    options.device = "cuda:x";
    EXPECT_THROW(options.validate(), Error);
    options = {};
    options.max_detections = 0;
    EXPECT_THROW((void)make_detector("none", options), Error);
}
