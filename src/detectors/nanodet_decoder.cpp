// NanoDet (-m, 320): six outputs per the shared models README. Each of the strides 8, 16 and 32 has an
// (N, 80) tensor of class scores (sigmoid applied) and an (N, 32) tensor of box distributions: for each
// side (left, top, right, bottom) 8 logits whose softmax expectation, times the stride, is the distance
// from the cell centre. The tensors' names do not say which is which, so they are told apart by shape.

#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "detectors/onnx_decoder.hpp"
#include "edgebench/error.hpp"

namespace edgebench::detail {
namespace {

constexpr std::array<int, 3> kStrides = {8, 16, 32};
constexpr int kBins = 8;
constexpr int kRegressionWidth = 4 * kBins;

struct Level {
    int stride = 0;
    int grid_w = 0;
    int grid_h = 0;
    const float* scores = nullptr;      // grid_w*grid_h rows of 80
    const float* regression = nullptr;  // grid_w*grid_h rows of 32
};

// Assigns each output to its level and role by shape; empty message when all six are found once.
std::string identify(const std::vector<cv::Mat>& outputs, cv::Size input, std::array<Level, 3>& levels) {
    for (std::size_t l = 0; l < kStrides.size(); ++l) {
        levels[l] = {kStrides[l], input.width / kStrides[l], input.height / kStrides[l], nullptr, nullptr};
    }
    const std::string expected =
        "six tensors of shape (N, 80) and (N, 32) with N = " + std::to_string(levels[0].grid_w * levels[0].grid_h) +
        ", " + std::to_string(levels[1].grid_w * levels[1].grid_h) + ", " +
        std::to_string(levels[2].grid_w * levels[2].grid_h) + " for a " + std::to_string(input.width) + "x" +
        std::to_string(input.height) + " input";
    if (outputs.size() != 6) return expected;
    for (const auto& output : outputs) {
        const auto shape = squeezed_shape(output, 2);
        if (shape.size() != 2 || output.type() != CV_32F || !output.isContinuous()) return expected;
        Level* level = nullptr;
        for (auto& candidate : levels) {
            if (candidate.grid_w * candidate.grid_h == shape[0]) level = &candidate;
        }
        if (!level) return expected;
        const float** slot = shape[1] == kCocoClassCount ? &level->scores
                             : shape[1] == kRegressionWidth ? &level->regression
                                                            : nullptr;
        if (!slot || *slot) return expected;
        *slot = output.ptr<float>();
    }
    return {};
}

// Softmax expectation of one side's bins, in bins (multiply by the stride for pixels).
float expected_distance(const float* logits) {
    float top = logits[0];
    for (int k = 1; k < kBins; ++k) top = std::max(top, logits[k]);
    float sum = 0;
    float weighted = 0;
    for (int k = 0; k < kBins; ++k) {
        const float e = std::exp(logits[k] - top);
        sum += e;
        weighted += e * static_cast<float>(k);
    }
    return weighted / sum;
}

class NanoDetDecoder final : public OnnxDecoder {
public:
    std::string_view family() const noexcept override { return "nanodet"; }
    cv::Size default_input_size() const noexcept override { return {320, 320}; }

    InputRecipe input_recipe(cv::Size input_size) const override {
        InputRecipe recipe;
        recipe.size = input_size;
        recipe.letterbox = true;
        recipe.pad_value = 0;
        recipe.interpolation = cv::INTER_AREA;
        recipe.rgb = false;
        recipe.mean = {103.53f, 116.28f, 123.675f};
        recipe.scale = {1.f / 57.375f, 1.f / 57.12f, 1.f / 58.395f};
        return recipe;
    }

    std::string output_mismatch(const std::vector<cv::Mat>& outputs, cv::Size input_size) const override {
        std::array<Level, 3> levels;
        return identify(outputs, input_size, levels);
    }

    void decode(const std::vector<cv::Mat>& outputs, cv::Size input_size, float score_threshold,
                std::vector<Candidate>& candidates) const override {
        std::array<Level, 3> levels;
        if (auto problem = identify(outputs, input_size, levels); !problem.empty()) {
            throw Error("outputs " + describe_shapes(outputs) + " do not fit the nanodet decoder: expected " + problem,
                        "model");
        }
        for (const Level& level : levels) {
            const int cells = level.grid_w * level.grid_h;
            for (int n = 0; n < cells; ++n) {
                const float* scores = level.scores + static_cast<std::ptrdiff_t>(n) * kCocoClassCount;
                const int best = best_class(scores, kCocoClassCount);
                if (!(scores[best] >= score_threshold)) continue;
                const float* bins = level.regression + static_cast<std::ptrdiff_t>(n) * kRegressionWidth;
                const auto stride = static_cast<float>(level.stride);
                const float cx = (static_cast<float>(n % level.grid_w) + 0.5f) * stride;
                const float cy = (static_cast<float>(n / level.grid_w) + 0.5f) * stride;
                candidates.push_back({best, scores[best], cx - expected_distance(bins) * stride,
                                      cy - expected_distance(bins + kBins) * stride,
                                      cx + expected_distance(bins + 2 * kBins) * stride,
                                      cy + expected_distance(bins + 3 * kBins) * stride});
            }
        }
    }
};

}  // namespace

const OnnxDecoder& nanodet_decoder() {
    static const NanoDetDecoder decoder;
    return decoder;
}

}  // namespace edgebench::detail
