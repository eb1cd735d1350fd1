// The onnx backend end to end: real models from ../shared/data/models on real COCO images, and the
// YOLO layouts on ONNX files that torch exports in the test (tests/python/yolo_layout_models.py).

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <thread>

#include <opencv2/core/cuda.hpp>
#include <opencv2/imgproc.hpp>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/detector.hpp"
#include "edgebench/error.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {

std::filesystem::path model_file(const std::string& name) {
    const auto data = test::shared_data();
    if (data.empty()) return {};
    const auto path = data / "models" / name;
    return std::filesystem::exists(path) ? path : std::filesystem::path();
}

std::string nanodet_spec() { return "onnx:nanodet:" + model_file("nanodet-m-320.onnx").string(); }
std::string fastestdet_spec() { return "onnx:fastestdet:" + model_file("fastestdet-352.onnx").string(); }

const CocoDataset& coco_sample() {
    static const CocoDataset dataset = CocoDataset::load(test::coco_sample_json());
    return dataset;
}

#define REQUIRE_SHARED_MODELS()                                                                          \
    if (model_file("nanodet-m-320.onnx").empty() || model_file("fastestdet-352.onnx").empty() ||         \
        test::coco_sample_json().empty())                                                                \
    GTEST_SKIP() << "../shared/data (models and coco-sample) is not present"

// The best IoU of a detection of `category` with every ground-truth object of that category.
std::vector<double> best_ious(const ImageSample& sample, const DetectionResult& result, Id category) {
    std::vector<double> ious;
    for (const auto& annotation : sample.annotations) {
        if (annotation.category_id != category || annotation.iscrowd) continue;
        double best = 0;
        for (const auto& d : result.detections) {
            if (d.category_id == category) best = std::max(best, d.bbox.iou(annotation.bbox));
        }
        ious.push_back(best);
    }
    return ious;
}

void expect_well_formed(const DetectionResult& result, const ImageSample& sample, const DetectorOptions& options) {
    EXPECT_LE(result.detections.size(), static_cast<std::size_t>(options.max_detections));
    for (std::size_t i = 0; i < result.detections.size(); ++i) {
        const auto& d = result.detections[i];
        EXPECT_TRUE(CategoryTable::coco().contains(d.category_id)) << d.category_id;
        EXPECT_GE(d.score, options.score_threshold);
        EXPECT_LE(d.score, 1.0);
        if (i > 0) {
            EXPECT_GE(result.detections[i - 1].score, d.score) << "not sorted at " << i;
        }
        // Image pixels, clipped: never outside the original image, never empty.
        EXPECT_GE(d.bbox.x, 0);
        EXPECT_GE(d.bbox.y, 0);
        EXPECT_LE(d.bbox.right(), sample.width);
        EXPECT_LE(d.bbox.bottom(), sample.height);
        EXPECT_GT(d.bbox.area(), 0);
    }
    EXPECT_GT(result.timings.forward_ms, 0);
    EXPECT_GE(result.timings.prepare_ms, 0);
    EXPECT_GE(result.timings.postprocess_ms, 0);
}

Error error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "expected an edgebench::Error";
    return Error("none");
}

}  // namespace

TEST(OnnxNanoDet, FindsThePeopleOfRealCocoImages) {
    REQUIRE_SHARED_MODELS();
    auto detector = make_detector(nanodet_spec());
    const auto& man = coco_sample().at(85329);
    const auto result = detector->detect(read_image(man));
    expect_well_formed(result, man, detector->options());
    const auto man_ious = best_ious(man, result, 1);
    ASSERT_EQ(man_ious.size(), 1u);
    EXPECT_GT(man_ious[0], 0.8);

    const auto& street = coco_sample().at(252219);
    const auto people = detector->detect(read_image(street));
    expect_well_formed(people, street, detector->options());
    for (const double iou : best_ious(street, people, 1)) EXPECT_GT(iou, 0.8);

    const auto info = detector->info();
    EXPECT_EQ(info.backend, "onnx");
    EXPECT_EQ(info.family, "nanodet");
    EXPECT_EQ(info.input_width, 320);
    EXPECT_EQ(info.input_height, 320);
    EXPECT_EQ(info.model_path, model_file("nanodet-m-320.onnx").string());
    EXPECT_FALSE(detector->thread_safe());
    EXPECT_EQ(detector->categories().size(), 80u);
}

TEST(OnnxFastestDet, FindsThePeopleOfRealCocoImages) {
    REQUIRE_SHARED_MODELS();
    auto detector = make_detector(fastestdet_spec());
    for (const Id id : {85329, 252219}) {
        const auto& sample = coco_sample().at(id);
        const auto result = detector->detect(read_image(sample));
        expect_well_formed(result, sample, detector->options());
        const auto ious = best_ious(sample, result, 1);
        ASSERT_FALSE(ious.empty());
        for (const double iou : ious) EXPECT_GT(iou, 0.8) << "image " << id;
    }
    EXPECT_EQ(detector->info().input_width, 352);
}

TEST(OnnxDetector, ClonesGiveIdenticalResultsAlsoInOtherThreads) {
    REQUIRE_SHARED_MODELS();
    for (const auto& spec : {nanodet_spec(), fastestdet_spec()}) {
        auto detector = make_detector(spec);
        const cv::Mat image = read_image(coco_sample().at(397133));
        const auto expected = detector->detect(image).detections;
        ASSERT_FALSE(expected.empty());
        auto clone = detector->clone();
        EXPECT_EQ(clone->detect(image).detections, expected);
        EXPECT_EQ(clone->info().spec, detector->info().spec);
        // Each thread with its own clone, at the same time.
        std::vector<std::unique_ptr<Detector>> clones;
        for (int i = 0; i < 2; ++i) clones.push_back(detector->clone());
        std::vector<std::vector<Detection>> results(clones.size());
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < clones.size(); ++i) {
            threads.emplace_back([&, i] { results[i] = clones[i]->detect(image).detections; });
        }
        for (auto& thread : threads) thread.join();
        for (const auto& result : results) EXPECT_EQ(result, expected);
    }
}

TEST(OnnxDetector, ScoreThresholdAndMaxDetectionsAreHonoured) {
    REQUIRE_SHARED_MODELS();
    const auto& sample = coco_sample().at(397133);  // a busy kitchen
    const cv::Mat image = read_image(sample);
    DetectorOptions loose;
    loose.score_threshold = 0.05;
    const auto all = make_detector(nanodet_spec(), loose)->detect(image).detections;
    ASSERT_GT(all.size(), 10u);

    DetectorOptions strict;
    strict.score_threshold = 0.4;
    const auto confident = make_detector(nanodet_spec(), strict)->detect(image);
    expect_well_formed(confident, sample, strict);
    std::vector<Detection> expected;
    std::copy_if(all.begin(), all.end(), std::back_inserter(expected), [](const Detection& d) { return d.score >= 0.4; });
    EXPECT_EQ(confident.detections, expected);

    DetectorOptions capped;
    capped.max_detections = 3;
    const auto top = make_detector(nanodet_spec(), capped)->detect(image).detections;
    EXPECT_EQ(top, std::vector<Detection>(all.begin(), all.begin() + 3));
}

TEST(OnnxDetector, AnyEightBitImageShapeIsTakenOrRefusedWithoutCrashing) {
    REQUIRE_SHARED_MODELS();
    for (const auto& spec : {nanodet_spec(), fastestdet_spec()}) {
        auto detector = make_detector(spec);
        EXPECT_NO_THROW((void)detector->detect(cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(128)))) << spec;
        EXPECT_NO_THROW((void)detector->detect(cv::Mat(1, 1500, CV_8UC3, cv::Scalar::all(128)))) << spec;
        EXPECT_NO_THROW((void)detector->detect(cv::Mat(900, 2, CV_8UC3, cv::Scalar::all(128)))) << spec;
        const cv::Mat color = read_image(coco_sample().at(85329));
        cv::Mat gray;
        cv::Mat bgra;
        cv::cvtColor(color, gray, cv::COLOR_BGR2GRAY);
        cv::cvtColor(color, bgra, cv::COLOR_BGR2BGRA);
        EXPECT_FALSE(detector->detect(gray).detections.empty());
        EXPECT_EQ(detector->detect(bgra).detections, detector->detect(color).detections);

        EXPECT_EQ(error_of([&] { (void)detector->detect(cv::Mat()); }).field(), "image");
        EXPECT_EQ(error_of([&] { (void)detector->detect(cv::Mat(10, 10, CV_16UC3)); }).field(), "image");
        EXPECT_EQ(error_of([&] { (void)detector->detect(cv::Mat(10, 10, CV_8UC2)); }).field(), "image");
    }
}

TEST(OnnxDetector, WrongDecoderForTheModelIsAnError) {
    REQUIRE_SHARED_MODELS();
    const auto nanodet = model_file("nanodet-m-320.onnx").string();
    const auto fastestdet = model_file("fastestdet-352.onnx").string();
    const auto as_nanodet = error_of([&] { (void)make_detector("onnx:nanodet:" + fastestdet); });
    EXPECT_EQ(as_nanodet.field(), "model");
    EXPECT_EQ(as_nanodet.file(), fastestdet);
    EXPECT_NE(as_nanodet.message().find("1x85x22x22"), std::string::npos) << as_nanodet.what();
    EXPECT_NE(as_nanodet.message().find("do not fit the nanodet decoder"), std::string::npos) << as_nanodet.what();
    for (const char* family : {"fastestdet", "yolov8", "yolov5"}) {
        const auto error = error_of([&] { (void)make_detector(std::string("onnx:") + family + ":" + nanodet); });
        EXPECT_NE(error.message().find(std::string("do not fit the ") + family + " decoder"), std::string::npos)
            << error.what();
    }
    // A fixed-size model refuses another input size before running.
    const auto resized = error_of([&] { (void)make_detector("onnx:nanodet@416:" + nanodet); });
    EXPECT_NE(resized.message().find("fixed 320x320 input"), std::string::npos) << resized.what();
}

TEST(OnnxDetector, BadSpecsAndFilesAreErrorsNamingTheModel) {
    test::TempDir dir;
    const auto missing = error_of([&] { (void)make_detector("onnx:nanodet:" + (dir / "absent.onnx").string()); });
    EXPECT_EQ(missing.field(), "model");
    EXPECT_EQ(missing.file(), (dir / "absent.onnx").string());
    EXPECT_NE(missing.message().find("not found"), std::string::npos);

    test::write_text(dir / "text.onnx", "this is not a protobuf model");
    const auto text = error_of([&] { (void)make_detector("onnx:nanodet:" + (dir / "text.onnx").string()); });
    EXPECT_EQ(text.field(), "model");
    EXPECT_NE(text.message().find("cannot load as an ONNX model"), std::string::npos) << text.what();
    test::write_text(dir / "empty.onnx", "");
    EXPECT_EQ(error_of([&] { (void)make_detector("onnx:nanodet:" + (dir / "empty.onnx").string()); }).field(), "model");
    EXPECT_EQ(error_of([&] { (void)make_detector("onnx:nanodet:" + dir.path().string()); }).field(), "model");

    const auto unknown = error_of([&] { (void)make_detector("onnx:ssd:" + (dir / "text.onnx").string()); });
    EXPECT_NE(unknown.message().find("unknown ONNX model family 'ssd'"), std::string::npos) << unknown.what();
    EXPECT_NE(unknown.message().find("nanodet, fastestdet, yolov8, yolov5"), std::string::npos);
    for (const char* bad : {"onnx", "onnx:", "onnx:nanodet", "onnx:nanodet:", "onnx:yolov8@100:x.onnx",
                            "onnx:yolov8@64xq:x.onnx", "onnx:yolov8@:x.onnx"}) {
        EXPECT_EQ(error_of([&] { (void)make_detector(bad); }).field(), "model") << bad;
    }
}

TEST(OnnxDetector, CudaIsRefusedWhereOpenCvHasNone) {
    if (cv::cuda::getCudaEnabledDeviceCount() > 0) GTEST_SKIP() << "this OpenCV has CUDA";
    DetectorOptions options;
    options.device = "cuda";
    const auto error = error_of([&] { (void)make_detector("onnx:nanodet:/nonexistent.onnx", options); });
    EXPECT_EQ(error.field(), "device");
    EXPECT_NE(error.message().find("CUDA is not available in this OpenCV build"), std::string::npos);
}

// ---- YOLO layouts on ONNX files exported by torch in the test ----------------------------------------

namespace {

// Exports the two layout models into `dir`; false when this machine's python3 has no torch.
bool export_yolo_layout_models(const std::filesystem::path& dir) {
    if (test::run_command("/usr/bin/python3 -c 'import torch'").status != 0) return false;
    const auto script = std::filesystem::path(EDGEBENCH_SOURCE_DIR) / "tests" / "python" / "yolo_layout_models.py";
    const auto result = test::run_command("/usr/bin/python3 " + script.string() + " " + dir.string());
    EXPECT_EQ(result.status, 0) << result.output;
    return result.status == 0;
}

}  // namespace

TEST(OnnxYolo, BothLayoutsDecodeRealOnnxFilesThroughOpenCvDnn) {
    test::TempDir dir;
    if (!export_yolo_layout_models(dir.path())) GTEST_SKIP() << "/usr/bin/python3 cannot import torch";
    // 1280x640 pure red: letterboxed to 640x320 at offset y=160, so x_image = 2*x, y_image = 2*(y - 160).
    const cv::Mat red(640, 1280, CV_8UC3, cv::Scalar(0, 0, 255));
    const double red_mean = 0.5 * 1.0 + 0.5 * 114.0 / 255.0;
    for (const char* family : {"yolov8", "yolov5"}) {
        SCOPED_TRACE(family);
        DetectorOptions options;
        options.score_threshold = 0.25;
        auto detector = make_detector(std::string("onnx:") + family + ":" + (dir / (std::string(family) + "-layout.onnx")).string(),
                                      options);
        EXPECT_EQ(detector->info().input_width, 640);
        const auto detections = detector->detect(red).detections;
        ASSERT_EQ(detections.size(), 4u);
        EXPECT_EQ(detections[0].category_id, 3);  // car, 0.9; the overlapping 0.8 car is suppressed
        EXPECT_NEAR(detections[0].score, 0.9, 1e-6);
        EXPECT_EQ(detections[0].bbox, (BBox{440, 220, 400, 200}));
        EXPECT_EQ(detections[1].category_id, 1);  // person, scored by the mean red of the input
        EXPECT_NEAR(detections[1].score, red_mean, 5e-3);
        EXPECT_EQ(detections[1].bbox, (BBox{150, 0, 100, 160}));
        EXPECT_EQ(detections[2].category_id, 6);  // bus over the car: another class survives NMS
        EXPECT_EQ(detections[2].bbox, (BBox{460, 230, 400, 200}));
        EXPECT_EQ(detections[3].category_id, 90);  // toothbrush, 0.3
        EXPECT_EQ(detections[3].bbox, (BBox{1140, 440, 120, 80}));

        options.score_threshold = 0.5;
        EXPECT_EQ(make_detector(detector->info().spec, options)->detect(red).detections.size(), 3u);
        // A blue image feeds 0 red: the person drops out (with BGR input it would be the other way round).
        const cv::Mat blue(640, 1280, CV_8UC3, cv::Scalar(255, 0, 0));
        const auto on_blue = detector->detect(blue).detections;
        EXPECT_EQ(on_blue.size(), 3u);
        EXPECT_NEAR(detector->clone()->detect(red).detections[1].score, detections[1].score, 1e-6);
    }
    // Each layout refused by the other's decoder.
    const auto v8_as_v5 = error_of([&] { (void)make_detector("onnx:yolov5:" + (dir / "yolov8-layout.onnx").string()); });
    EXPECT_NE(v8_as_v5.message().find("1x84x6"), std::string::npos) << v8_as_v5.what();
    const auto v5_as_v8 = error_of([&] { (void)make_detector("onnx:yolov8:" + (dir / "yolov5-layout.onnx").string()); });
    EXPECT_NE(v5_as_v8.message().find("1x6x85"), std::string::npos) << v5_as_v8.what();
}
