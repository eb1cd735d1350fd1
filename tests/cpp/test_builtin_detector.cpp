// The built-in shapes detector (models/shapes-v2.pt through the `builtin` backend) on held-out synthetic
// images: right classes, tight boxes, identical results from clones and concurrent threads.

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include "edgebench/detector.hpp"
#include "edgebench/error.hpp"
#include "edgebench/evaluator.hpp"
#include "edgebench/preprocessor.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {

// Held out from training (scripts/train_builtin_model.py trains on seed 1001).
SyntheticDatasetOptions held_out() {
    SyntheticDatasetOptions options;
    options.seed = 77;
    options.first_image_id = 700001;
    return options;
}

// Sets an environment variable for the life of the object and restores the previous value after.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace

TEST(BuiltinDetector, FindsMediumAndLargeShapesWithTheRightClassAndTightBoxes) {
    auto detector = make_detector("builtin");
    EXPECT_EQ(detector->categories(), synthetic_categories());
    const auto options = held_out();
    int objects = 0;
    int found = 0;
    for (std::size_t i = 0; i < 12; ++i) {
        const auto sample = render_synthetic_image(options, i);
        const auto result = detector->detect(sample.image);
        for (const auto& detection : result.detections) {
            EXPECT_TRUE(synthetic_categories().contains(detection.category_id));
            EXPECT_GE(detection.bbox.x, 0.0);
            EXPECT_LE(detection.bbox.right(), sample.image.cols);
            EXPECT_LE(detection.bbox.bottom(), sample.image.rows);
        }
        for (const auto& truth : sample.annotations) {
            if (truth.area < 32.0 * 32.0) continue;  // COCO's medium and large objects
            ++objects;
            for (const auto& detection : result.detections) {
                if (detection.score >= 0.3 && detection.category_id == truth.category_id &&
                    detection.bbox.iou(truth.bbox) > 0.7) {
                    ++found;
                    break;
                }
            }
        }
    }
    ASSERT_GT(objects, 10);
    EXPECT_GE(found, objects * 8 / 10) << found << " of " << objects << " medium/large objects found";
}

// The accuracy the model ships with, and the trade-off `make demo` shows: JPEG quality 10 and a 25 %
// resize (boxes mapped back to the original image) must each cost clearly visible AP50.
TEST(BuiltinDetector, HeldOutAp50IsHighAndFallsAtQuality10AndResize25) {
    auto detector = make_detector("builtin");
    auto options = held_out();
    options.image_count = 40;
    edgebench::test::TempDir dir;
    const auto dataset = generate_synthetic_dataset(options, dir.path());
    const auto ap50 = [&](const std::string& settings) {
        const Preprocessor edge(PreprocessConfig::parse(settings));
        Evaluator evaluator(dataset.categories());
        for (const auto& sample : dataset) {
            const auto edged = edge.process(read_image_bytes(sample));
            evaluator.add(sample.id, sample.annotations, edged.to_original(detector->detect(edged.image).detections));
        }
        return evaluator.summarize().stats[1];
    };
    const double full = ap50("");
    const double quality10 = ap50("quality=10");
    const double resize25 = ap50("resize=25");
    std::cout << "held-out AP50: full " << full << ", quality 10 " << quality10 << ", resize 25 % " << resize25 << "\n";
    EXPECT_GE(full, 0.8);
    EXPECT_LT(quality10, full - 0.1);
    EXPECT_LT(resize25, full - 0.1);
}

TEST(BuiltinDetector, ClonesAndConcurrentCallsGiveIdenticalResults) {
    auto detector = make_detector("builtin");
    ASSERT_TRUE(detector->thread_safe());
    const auto options = held_out();
    std::vector<cv::Mat> images;
    std::vector<std::vector<Detection>> expected;
    for (std::size_t i = 0; i < 6; ++i) {
        images.push_back(render_synthetic_image(options, i).image);
        expected.push_back(detector->detect(images.back()).detections);
    }
    auto clone = detector->clone();
    EXPECT_EQ(clone->info().model_path, detector->info().model_path);
    // Two threads at once: one on the detector itself, one on its clone, each twice over the images.
    std::vector<std::vector<Detection>> first(images.size());
    std::vector<std::vector<Detection>> second(images.size());
    auto work = [&](Detector& worker, std::vector<std::vector<Detection>>& out) {
        for (int round = 0; round < 2; ++round) {
            for (std::size_t i = 0; i < images.size(); ++i) out[i] = worker.detect(images[i]).detections;
        }
    };
    std::thread a(work, std::ref(*detector), std::ref(first));
    std::thread b(work, std::ref(*clone), std::ref(second));
    a.join();
    b.join();
    for (std::size_t i = 0; i < images.size(); ++i) {
        EXPECT_EQ(first[i], expected[i]) << "image " << i;
        EXPECT_EQ(second[i], expected[i]) << "image " << i;
    }
}

TEST(BuiltinDetector, TinyAndOddImagesDoNotBreakIt) {
    DetectorOptions options;
    options.warmup_runs = 0;
    auto detector = make_detector("builtin", options);
    EXPECT_THROW((void)detector->detect(cv::Mat()), Error);
    for (const cv::Mat& image : {cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(200)), cv::Mat(1, 1, CV_8UC1, cv::Scalar(3)),
                                 cv::Mat(2, 640, CV_8UC3, cv::Scalar::all(90)),
                                 cv::Mat(333, 7, CV_8UC4, cv::Scalar::all(90))}) {
        for (const auto& detection : detector->detect(image).detections) {
            EXPECT_LE(detection.bbox.right(), image.cols);
            EXPECT_LE(detection.bbox.bottom(), image.rows);
        }
    }
}

TEST(BuiltinDetector, DescribesItself) {
    auto detector = make_detector("builtin:shapes-v2");
    const auto info = detector->info();
    EXPECT_EQ(info.backend, "builtin");
    EXPECT_EQ(info.spec, "builtin:shapes-v2");
    EXPECT_EQ(info.family, "shapes-centernet");
    EXPECT_EQ(info.device, "cpu");
    EXPECT_NE(info.model_path.find("shapes-v2.pt"), std::string::npos);
    EXPECT_TRUE(DetectorRegistry::with_builtin_backends().contains("builtin"));
    EXPECT_TRUE(DetectorRegistry::with_builtin_backends().contains("torchscript"));
}

TEST(BuiltinDetector, UnknownNamesAndAMissingOverrideAreErrors) {
    try {
        (void)make_detector("builtin:yolo");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "model");
        EXPECT_NE(error.message().find("shapes-v2"), std::string::npos);
    }
    const ScopedEnv missing("EDGEBENCH_BUILTIN_MODEL", "/nonexistent/shapes.pt");
    try {
        (void)make_detector("builtin");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "model");
        EXPECT_NE(error.message().find("/nonexistent/shapes.pt"), std::string::npos);
        EXPECT_NE(error.message().find("EDGEBENCH_BUILTIN_MODEL"), std::string::npos);
    }
}

TEST(BuiltinDetector, OverrideVariableChoosesTheFile) {
    const auto shipped = make_detector("builtin")->info().model_path;
    edgebench::test::TempDir dir;
    const auto copy = dir / "copy.pt";
    std::filesystem::copy_file(shipped, copy);
    const ScopedEnv chosen("EDGEBENCH_BUILTIN_MODEL", copy.string());
    EXPECT_EQ(make_detector("builtin")->info().model_path, copy.string());
}
