// Ultralytics exports. YOLOv8 (and v9/v10/v11 detection heads in the same layout): one output
// 1 x (4+80) x N, rows cx, cy, w, h in network-input pixels then 80 class scores (sigmoid applied, no
// objectness). YOLOv5: one output 1 x N x (5+80), columns cx, cy, w, h, objectness, 80 class scores;
// score = objectness * class score. Both take a 640x640 letterbox with padding 114, RGB, /255.

#include <opencv2/imgproc.hpp>

#include "detectors/onnx_decoder.hpp"
#include "edgebench/error.hpp"

namespace edgebench::detail {
namespace {

InputRecipe ultralytics_recipe(cv::Size input_size) {
    InputRecipe recipe;
    recipe.size = input_size;
    recipe.letterbox = true;
    recipe.pad_value = 114;
    recipe.interpolation = cv::INTER_LINEAR;
    recipe.rgb = true;
    recipe.mean = {0.f, 0.f, 0.f};
    recipe.scale = {1.f / 255.f, 1.f / 255.f, 1.f / 255.f};
    return recipe;
}

Candidate from_centre(int class_index, float score, float cx, float cy, float w, float h) {
    return {class_index, score, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
}

// The one output whose shape (after dropping a leading batch of 1) is rows x cols with the attribute
// axis of `attributes` entries at position `attribute_axis`; nullptr when there is none.
const cv::Mat* find_output(const std::vector<cv::Mat>& outputs, int attributes, int attribute_axis) {
    const cv::Mat* found = nullptr;
    for (const auto& output : outputs) {
        const auto shape = squeezed_shape(output, 2);
        if (shape.size() != 2 || shape[attribute_axis] != attributes || shape[1 - attribute_axis] < 1) continue;
        if (output.type() != CV_32F || !output.isContinuous()) continue;
        if (found) return nullptr;  // ambiguous
        found = &output;
    }
    return found;
}

class YoloV8Decoder final : public OnnxDecoder {
public:
    static constexpr int kAttributes = 4 + kCocoClassCount;

    std::string_view family() const noexcept override { return "yolov8"; }
    cv::Size default_input_size() const noexcept override { return {640, 640}; }
    InputRecipe input_recipe(cv::Size input_size) const override { return ultralytics_recipe(input_size); }

    std::string output_mismatch(const std::vector<cv::Mat>& outputs, cv::Size) const override {
        return find_output(outputs, kAttributes, 0) ? std::string() : "one tensor of shape 1x84xN (cx, cy, w, h, 80 classes)";
    }

    void decode(const std::vector<cv::Mat>& outputs, cv::Size input_size, float score_threshold,
                std::vector<Candidate>& candidates) const override {
        const cv::Mat* output = find_output(outputs, kAttributes, 0);
        if (!output) {
            throw Error("outputs " + describe_shapes(outputs) + " do not fit the yolov8 decoder: expected " +
                            output_mismatch(outputs, input_size),
                        "model");
        }
        const int count = squeezed_shape(*output, 2)[1];
        const float* data = output->ptr<float>();
        const auto row = [&](int attribute) { return data + static_cast<std::ptrdiff_t>(attribute) * count; };
        // Attribute-major layout: scan class rows in order so that memory is read sequentially.
        std::vector<float> best_score(static_cast<std::size_t>(count), -1.f);
        std::vector<int> best_class(static_cast<std::size_t>(count), 0);
        for (int k = 0; k < kCocoClassCount; ++k) {
            const float* scores = row(4 + k);
            for (int n = 0; n < count; ++n) {
                if (scores[n] > best_score[n]) {
                    best_score[n] = scores[n];
                    best_class[n] = k;
                }
            }
        }
        for (int n = 0; n < count; ++n) {
            if (!(best_score[n] >= score_threshold)) continue;
            candidates.push_back(from_centre(best_class[n], best_score[n], row(0)[n], row(1)[n], row(2)[n], row(3)[n]));
        }
    }
};

class YoloV5Decoder final : public OnnxDecoder {
public:
    static constexpr int kAttributes = 5 + kCocoClassCount;

    std::string_view family() const noexcept override { return "yolov5"; }
    cv::Size default_input_size() const noexcept override { return {640, 640}; }
    InputRecipe input_recipe(cv::Size input_size) const override { return ultralytics_recipe(input_size); }

    std::string output_mismatch(const std::vector<cv::Mat>& outputs, cv::Size) const override {
        return find_output(outputs, kAttributes, 1) ? std::string()
                                                     : "one tensor of shape 1xNx85 (cx, cy, w, h, objectness, 80 classes)";
    }

    void decode(const std::vector<cv::Mat>& outputs, cv::Size input_size, float score_threshold,
                std::vector<Candidate>& candidates) const override {
        const cv::Mat* output = find_output(outputs, kAttributes, 1);
        if (!output) {
            throw Error("outputs " + describe_shapes(outputs) + " do not fit the yolov5 decoder: expected " +
                            output_mismatch(outputs, input_size),
                        "model");
        }
        const int count = squeezed_shape(*output, 2)[0];
        for (int n = 0; n < count; ++n) {
            const float* p = output->ptr<float>() + static_cast<std::ptrdiff_t>(n) * kAttributes;
            const float objectness = p[4];
            // Class scores are at most 1, so a low objectness rules the box out without scanning them.
            if (!(objectness >= score_threshold)) continue;
            const int best = best_class(p + 5, kCocoClassCount);
            const float score = objectness * p[5 + best];
            if (!(score >= score_threshold)) continue;
            candidates.push_back(from_centre(best, score, p[0], p[1], p[2], p[3]));
        }
    }
};

}  // namespace

const OnnxDecoder& yolov8_decoder() {
    static const YoloV8Decoder decoder;
    return decoder;
}

const OnnxDecoder& yolov5_decoder() {
    static const YoloV5Decoder decoder;
    return decoder;
}

}  // namespace edgebench::detail
