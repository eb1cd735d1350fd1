// The ONNX decoders, input preparation and candidate selection on constructed tensors, where every
// expected number can be worked out by hand.

#include <gtest/gtest.h>

#include <cmath>

#include "detectors/candidate_selection.hpp"
#include "detectors/network_input.hpp"
#include "detectors/onnx_decoder.hpp"
#include "detectors/onnx_input_shape.hpp"
#include "edgebench/error.hpp"
#include "internal/file_io.hpp"
#include "test_support.hpp"

using namespace edgebench;
using namespace edgebench::detail;

namespace {

cv::Mat tensor(std::vector<int> shape) { return cv::Mat(static_cast<int>(shape.size()), shape.data(), CV_32F, cv::Scalar(0)); }

float& at(cv::Mat& m, std::initializer_list<int> index) { return m.at<float>(std::vector<int>(index).data()); }

DetectorOptions options_with(double score, int max_detections = 100, double iou = 0.5) {
    DetectorOptions options;
    options.score_threshold = score;
    options.max_detections = max_detections;
    options.nms_iou_threshold = iou;
    return options;
}

}  // namespace

TEST(NetworkInput, LetterboxCentresAndMapsBack) {
    InputRecipe recipe = nanodet_decoder().input_recipe({320, 320});
    const auto geometry = input_geometry({640, 320}, recipe);
    EXPECT_DOUBLE_EQ(geometry.scale_x, 0.5);
    EXPECT_DOUBLE_EQ(geometry.scale_y, 0.5);
    EXPECT_DOUBLE_EQ(geometry.offset_x, 0);
    EXPECT_DOUBLE_EQ(geometry.offset_y, 80);  // (320 - 160) / 2

    // NanoDet pads with 0 (normalised like the pixels) and keeps BGR order; mean/std per channel.
    const cv::Mat image(320, 640, CV_8UC3, cv::Scalar(10, 20, 30));
    cv::Mat blob;
    InputScratch scratch;
    prepare_input(image, recipe, blob, scratch);
    ASSERT_EQ(blob.dims, 4);
    EXPECT_EQ(blob.size[1], 3);
    EXPECT_EQ(blob.size[2], 320);
    EXPECT_NEAR(at(blob, {0, 0, 0, 0}), (0 - 103.53) / 57.375, 1e-5);       // padding, B
    EXPECT_NEAR(at(blob, {0, 0, 160, 5}), (10 - 103.53) / 57.375, 1e-5);    // content, B
    EXPECT_NEAR(at(blob, {0, 2, 160, 5}), (30 - 123.675) / 58.395, 1e-5);   // content, R
    EXPECT_NEAR(at(blob, {0, 2, 319, 319}), (0 - 123.675) / 58.395, 1e-5);  // padding, R
}

TEST(NetworkInput, UltralyticsRecipeIsRgbOver255With114Padding) {
    const InputRecipe recipe = yolov8_decoder().input_recipe({64, 64});
    const cv::Mat image(32, 64, CV_8UC3, cv::Scalar(0, 0, 255));  // pure red, BGR
    cv::Mat blob;
    InputScratch scratch;
    const auto geometry = prepare_input(image, recipe, blob, scratch);
    EXPECT_DOUBLE_EQ(geometry.offset_y, 16);
    EXPECT_FLOAT_EQ(at(blob, {0, 0, 20, 3}), 1.f);                  // R first
    EXPECT_FLOAT_EQ(at(blob, {0, 2, 20, 3}), 0.f);                  // B last
    EXPECT_NEAR(at(blob, {0, 1, 2, 3}), 114.f / 255.f, 1e-6);       // padding
}

TEST(NetworkInput, StretchAndDegenerateImages) {
    const InputRecipe recipe = fastestdet_decoder().input_recipe({352, 352});
    const auto geometry = input_geometry({704, 176}, recipe);
    EXPECT_DOUBLE_EQ(geometry.scale_x, 0.5);
    EXPECT_DOUBLE_EQ(geometry.scale_y, 2.0);
    // A 1-pixel strip still becomes at least one input pixel, letterboxed or not.
    cv::Mat blob;
    InputScratch scratch;
    const auto strip = prepare_input(cv::Mat(2000, 1, CV_8UC3, cv::Scalar::all(50)),
                                     yolov8_decoder().input_recipe({64, 64}), blob, scratch);
    EXPECT_GT(strip.scale_x, 0);
    EXPECT_NO_THROW(prepare_input(cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(50)), recipe, blob, scratch));
}

TEST(CandidateSelection, PerClassNmsSortingThresholdAndCap) {
    InputGeometry identity;
    identity.image_width = 100;
    identity.image_height = 100;
    std::vector<Candidate> candidates = {
        {0, 0.6f, 10, 10, 50, 50},
        {0, 0.9f, 12, 12, 52, 52},    // beats the first, which overlaps it: suppressed
        {1, 0.7f, 12, 12, 52, 52},    // another class: kept
        {0, 0.8f, 60, 60, 90, 90},    // no overlap
        {0, 0.04f, 0, 0, 5, 5},       // below the threshold
        {2, 0.95f, 120, 10, 140, 20}, // outside the image: empty after clipping
        {3, 0.5f, -10, 90, 20, 130},  // clipped to the image
    };
    const auto& coco = CategoryTable::coco();
    auto copy = candidates;
    const auto all = select_detections(copy, identity, coco, options_with(0.05));
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].score, 0.9f);
    EXPECT_EQ(all[0].category_id, 1);
    EXPECT_EQ(all[0].bbox, (BBox{12, 12, 40, 40}));
    EXPECT_EQ(all[1].score, 0.8f);
    EXPECT_EQ(all[2].category_id, 2);  // class index 1 is COCO id 2 (bicycle)
    EXPECT_EQ(all[3].category_id, 4);  // class index 3 is COCO id 4 (motorcycle)
    EXPECT_EQ(all[3].bbox, (BBox{0, 90, 20, 10}));

    copy = candidates;
    const auto top2 = select_detections(copy, identity, coco, options_with(0.05, 2));
    ASSERT_EQ(top2.size(), 2u);
    EXPECT_EQ(top2[1].score, 0.8f);

    copy = candidates;
    const auto strict = select_detections(copy, identity, coco, options_with(0.75));
    EXPECT_EQ(strict.size(), 2u);

    copy = candidates;  // a loose NMS lets the overlapping box through
    EXPECT_EQ(select_detections(copy, identity, coco, options_with(0.05, 100, 0.95)).size(), 5u);
}

TEST(CandidateSelection, MapsThroughTheGeometry) {
    InputGeometry geometry;
    geometry.scale_x = geometry.scale_y = 0.5;
    geometry.offset_y = 80;
    geometry.image_width = 640;
    geometry.image_height = 320;
    std::vector<Candidate> candidates = {{0, 0.9f, 10, 90, 110, 140}};
    const auto detections = select_detections(candidates, geometry, CategoryTable::coco(), options_with(0.05));
    ASSERT_EQ(detections.size(), 1u);
    EXPECT_EQ(detections[0].bbox, (BBox{20, 20, 200, 100}));
}

TEST(NanoDetDecoder, DistributionsBecomeDistancesFromTheCellCentre) {
    // A 64x64 input: grids of 8x8, 4x4 and 2x2 cells.
    std::vector<cv::Mat> outputs = {tensor({64, 80}), tensor({64, 32}), tensor({16, 80}),
                                    tensor({16, 32}), tensor({4, 80}), tensor({4, 32})};
    const cv::Size input(64, 64);
    EXPECT_EQ(nanodet_decoder().output_mismatch(outputs, input), "");
    // Stride 16, cell 5 = row 1, column 1: centre (24, 24). Left side: all mass on bin 2 -> 32 px;
    // top: uniform over 8 bins -> 3.5 bins = 56 px; right: bin 0 -> 0; bottom: bin 1 -> 16 px.
    cv::Mat& scores = outputs[2];
    cv::Mat& regression = outputs[3];
    scores.at<float>(5, 17) = 0.8f;
    scores.at<float>(5, 3) = 0.3f;
    for (int k = 0; k < 8; ++k) regression.at<float>(5, k) = k == 2 ? 50.f : 0.f;
    for (int k = 0; k < 8; ++k) regression.at<float>(5, 8 + k) = 1.f;
    for (int k = 0; k < 8; ++k) regression.at<float>(5, 16 + k) = k == 0 ? 50.f : 0.f;
    for (int k = 0; k < 8; ++k) regression.at<float>(5, 24 + k) = k == 1 ? 50.f : 0.f;
    std::vector<Candidate> candidates;
    nanodet_decoder().decode(outputs, input, 0.5f, candidates);
    ASSERT_EQ(candidates.size(), 1u);
    EXPECT_EQ(candidates[0].class_index, 17);
    EXPECT_FLOAT_EQ(candidates[0].score, 0.8f);
    EXPECT_NEAR(candidates[0].x1, 24 - 32, 1e-3);
    EXPECT_NEAR(candidates[0].y1, 24 - 56, 1e-3);
    EXPECT_NEAR(candidates[0].x2, 24, 1e-3);
    EXPECT_NEAR(candidates[0].y2, 24 + 16, 1e-3);

    // The order of the six tensors does not matter; a missing or extra one does.
    std::swap(outputs[0], outputs[5]);
    EXPECT_EQ(nanodet_decoder().output_mismatch(outputs, input), "");
    outputs.pop_back();
    EXPECT_NE(nanodet_decoder().output_mismatch(outputs, input), "");
    EXPECT_THROW(nanodet_decoder().decode(outputs, input, 0.5f, candidates), Error);
}

TEST(FastestDetDecoder, CellOffsetsAndWholeImageSizes) {
    std::vector<cv::Mat> outputs = {tensor({1, 85, 4, 4})};
    const cv::Size input(64, 64);
    EXPECT_EQ(fastestdet_decoder().output_mismatch(outputs, input), "");
    cv::Mat& out = outputs[0];
    // Cell row 2, column 1: raw offsets 0 -> centre at (1/4, 2/4) of the image; raw size 0 -> half of it.
    at(out, {0, 0, 2, 1}) = 0.81f;        // objectness
    at(out, {0, 5 + 7, 2, 1}) = 0.16f;    // class 7 (truck)
    at(out, {0, 5 + 8, 2, 1}) = 0.1f;
    std::vector<Candidate> candidates;
    fastestdet_decoder().decode(outputs, input, 0.3f, candidates);
    ASSERT_EQ(candidates.size(), 1u);
    EXPECT_EQ(candidates[0].class_index, 7);
    EXPECT_NEAR(candidates[0].score, std::pow(0.81, 0.6) * std::pow(0.16, 0.4), 1e-5);
    EXPECT_NEAR(candidates[0].x1, (0.25 - 0.25) * 64, 1e-3);
    EXPECT_NEAR(candidates[0].y1, (0.5 - 0.25) * 64, 1e-3);
    EXPECT_NEAR(candidates[0].x2, (0.25 + 0.25) * 64, 1e-3);
    EXPECT_NEAR(candidates[0].y2, (0.5 + 0.25) * 64, 1e-3);
    // tanh keeps the centre within a cell of its own: a large raw offset moves it by almost one cell.
    at(out, {0, 1, 2, 1}) = 20.f;
    candidates.clear();
    fastestdet_decoder().decode(outputs, input, 0.3f, candidates);
    EXPECT_NEAR((candidates[0].x1 + candidates[0].x2) / 2, 2.0 / 4 * 64, 1e-3);

    EXPECT_NE(fastestdet_decoder().output_mismatch({tensor({1, 84, 4, 4})}, input), "");
    EXPECT_NE(fastestdet_decoder().output_mismatch({tensor({1, 85, 4, 4}), tensor({1, 85, 4, 4})}, input), "");
}

TEST(YoloV8Decoder, AttributeMajorRowsWithoutObjectness) {
    std::vector<cv::Mat> outputs = {tensor({1, 84, 3})};
    cv::Mat& out = outputs[0];
    const float box[4] = {100, 50, 40, 20};
    for (int a = 0; a < 4; ++a) at(out, {0, a, 1}) = box[a];
    at(out, {0, 4 + 15, 1}) = 0.6f;  // cat
    at(out, {0, 4 + 16, 1}) = 0.2f;
    at(out, {0, 4 + 0, 2}) = 0.04f;  // below the threshold
    std::vector<Candidate> candidates;
    yolov8_decoder().decode(outputs, {640, 640}, 0.05f, candidates);
    ASSERT_EQ(candidates.size(), 1u);
    EXPECT_EQ(candidates[0].class_index, 15);
    EXPECT_FLOAT_EQ(candidates[0].score, 0.6f);
    EXPECT_FLOAT_EQ(candidates[0].x1, 80);
    EXPECT_FLOAT_EQ(candidates[0].y1, 40);
    EXPECT_FLOAT_EQ(candidates[0].x2, 120);
    EXPECT_FLOAT_EQ(candidates[0].y2, 60);
    // The YOLOv5 layout is not mistaken for this one, nor the other way round.
    EXPECT_NE(yolov8_decoder().output_mismatch({tensor({1, 3, 85})}, {640, 640}), "");
    EXPECT_NE(yolov5_decoder().output_mismatch(outputs, {640, 640}), "");
    EXPECT_THROW(yolov5_decoder().decode(outputs, {640, 640}, 0.05f, candidates), Error);
}

TEST(YoloV5Decoder, ScoreIsObjectnessTimesClass) {
    std::vector<cv::Mat> outputs = {tensor({1, 2, 85})};
    cv::Mat& out = outputs[0];
    const float box[4] = {10, 20, 4, 8};
    for (int a = 0; a < 4; ++a) at(out, {0, 0, a}) = box[a];
    at(out, {0, 0, 4}) = 0.5f;
    at(out, {0, 0, 5 + 62}) = 0.9f;  // tv
    at(out, {0, 1, 4}) = 0.9f;       // confident objectness but no class above 0.05 / 0.9
    at(out, {0, 1, 5}) = 0.05f;
    std::vector<Candidate> candidates;
    yolov5_decoder().decode(outputs, {640, 640}, 0.1f, candidates);
    ASSERT_EQ(candidates.size(), 1u);
    EXPECT_EQ(candidates[0].class_index, 62);
    EXPECT_FLOAT_EQ(candidates[0].score, 0.45f);
    EXPECT_FLOAT_EQ(candidates[0].x1, 8);
    EXPECT_FLOAT_EQ(candidates[0].y2, 24);
}

TEST(OnnxDecoders, FamiliesByName) {
    EXPECT_EQ(find_onnx_decoder("nanodet"), &nanodet_decoder());
    EXPECT_EQ(find_onnx_decoder("yolov5"), &yolov5_decoder());
    EXPECT_EQ(find_onnx_decoder("ssd"), nullptr);
    for (const auto& name : onnx_family_names()) EXPECT_NE(find_onnx_decoder(name), nullptr) << name;
}

TEST(OnnxInputShape, ReadsTheDeclaredInputOfRealModels) {
    const auto data = test::shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is not present";
    const auto nanodet = onnx_input_shape(read_file_bytes(data / "models" / "nanodet-m-320.onnx"));
    ASSERT_TRUE(nanodet.has_value());
    EXPECT_EQ(*nanodet, (std::vector<std::int64_t>{1, 3, 320, 320}));
    const auto fastestdet = onnx_input_shape(read_file_bytes(data / "models" / "fastestdet-352.onnx"));
    ASSERT_TRUE(fastestdet.has_value());
    EXPECT_EQ(*fastestdet, (std::vector<std::int64_t>{1, 3, 352, 352}));
}

TEST(OnnxInputShape, NeverThrowsOnGarbage) {
    const std::string text = "hello, not a model";
    EXPECT_FALSE(onnx_input_shape({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}).has_value());
    EXPECT_FALSE(onnx_input_shape({}).has_value());
    // A truncated length-delimited field and an over-long varint.
    const std::vector<std::uint8_t> truncated = {0x3a, 0xff, 0xff, 0x01, 0x00};
    EXPECT_FALSE(onnx_input_shape(truncated).has_value());
    const std::vector<std::uint8_t> varint(20, 0xff);
    EXPECT_FALSE(onnx_input_shape(varint).has_value());
}
