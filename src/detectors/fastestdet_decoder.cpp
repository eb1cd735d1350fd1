// FastestDet (352): one output 1 x 85 x G x G per the shared models README. Channel 0 is objectness
// (sigmoid applied), 1-2 are raw centre offsets within the cell (tanh), 3-4 raw width and height as
// fractions of the whole image (sigmoid), 5-84 softmaxed class probabilities. Score = obj^0.6 * cls^0.4.

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "detectors/onnx_decoder.hpp"
#include "edgebench/error.hpp"

namespace edgebench::detail {
namespace {

constexpr int kChannels = 5 + kCocoClassCount;

float sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

class FastestDetDecoder final : public OnnxDecoder {
public:
    std::string_view family() const noexcept override { return "fastestdet"; }
    cv::Size default_input_size() const noexcept override { return {352, 352}; }

    InputRecipe input_recipe(cv::Size input_size) const override {
        InputRecipe recipe;
        recipe.size = input_size;
        recipe.letterbox = false;
        recipe.interpolation = cv::INTER_AREA;
        recipe.rgb = false;
        recipe.mean = {0.f, 0.f, 0.f};
        recipe.scale = {1.f / 255.f, 1.f / 255.f, 1.f / 255.f};
        return recipe;
    }

    std::string output_mismatch(const std::vector<cv::Mat>& outputs, cv::Size) const override {
        const std::string expected = "one tensor of shape 1x85xHxW";
        if (outputs.size() != 1) return expected;
        const auto shape = squeezed_shape(outputs[0], 3);
        if (shape.size() != 3 || shape[0] != kChannels || shape[1] < 1 || shape[2] < 1) return expected;
        if (outputs[0].type() != CV_32F || !outputs[0].isContinuous()) return expected;
        return {};
    }

    void decode(const std::vector<cv::Mat>& outputs, cv::Size input_size, float score_threshold,
                std::vector<Candidate>& candidates) const override {
        if (auto problem = output_mismatch(outputs, input_size); !problem.empty()) {
            throw Error("outputs " + describe_shapes(outputs) + " do not fit the fastestdet decoder: expected " + problem,
                        "model");
        }
        const auto shape = squeezed_shape(outputs[0], 3);
        const int grid_h = shape[1];
        const int grid_w = shape[2];
        const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(grid_h) * grid_w;
        const float* data = outputs[0].ptr<float>();
        const auto at = [&](int channel, std::ptrdiff_t cell) { return data[channel * plane + cell]; };
        const auto width = static_cast<float>(input_size.width);
        const auto height = static_cast<float>(input_size.height);
        for (int i = 0; i < grid_h; ++i) {
            for (int j = 0; j < grid_w; ++j) {
                const std::ptrdiff_t cell = static_cast<std::ptrdiff_t>(i) * grid_w + j;
                const float objectness = at(0, cell);
                if (!(objectness > 0.f)) continue;
                int best = 0;
                for (int k = 1; k < kCocoClassCount; ++k) {
                    if (at(5 + k, cell) > at(5 + best, cell)) best = k;
                }
                const float class_probability = std::max(at(5 + best, cell), 0.f);
                const float score = std::pow(objectness, 0.6f) * std::pow(class_probability, 0.4f);
                if (!(score >= score_threshold)) continue;
                // Fractions of the image, turned into network-input pixels so that the stretch geometry
                // maps them back like every other family's boxes.
                const float cx = (static_cast<float>(j) + std::tanh(at(1, cell))) / static_cast<float>(grid_w);
                const float cy = (static_cast<float>(i) + std::tanh(at(2, cell))) / static_cast<float>(grid_h);
                const float w = sigmoid(at(3, cell));
                const float h = sigmoid(at(4, cell));
                candidates.push_back({best, score, (cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width,
                                      (cy + h / 2) * height});
            }
        }
    }
};

}  // namespace

const OnnxDecoder& fastestdet_decoder() {
    static const FastestDetDecoder decoder;
    return decoder;
}

}  // namespace edgebench::detail
