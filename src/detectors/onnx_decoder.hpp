#pragma once
// Per-family knowledge of ONNX detection models: how the input is prepared and how the raw output
// tensors become candidate boxes. The ONNX detector is the same for every family; only this differs.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "detectors/candidate_selection.hpp"
#include "detectors/network_input.hpp"

namespace edgebench::detail {

/// Decoders are stateless; one instance per family lives for the whole program.
class OnnxDecoder {
public:
    virtual ~OnnxDecoder() = default;

    virtual std::string_view family() const noexcept = 0;
    virtual cv::Size default_input_size() const noexcept = 0;
    virtual InputRecipe input_recipe(cv::Size input_size) const = 0;
    /// Empty when `outputs` (as cv::dnn::Net::forward returns them) fit this decoder for `input_size`;
    /// otherwise what was expected, for the error that refuses the model.
    virtual std::string output_mismatch(const std::vector<cv::Mat>& outputs, cv::Size input_size) const = 0;
    /// Appends candidates scoring at least `score_threshold`, in network-input pixels. Throws `Error`
    /// when the outputs do not fit (see `output_mismatch`).
    virtual void decode(const std::vector<cv::Mat>& outputs, cv::Size input_size, float score_threshold,
                        std::vector<Candidate>& candidates) const = 0;
};

const OnnxDecoder& nanodet_decoder();
const OnnxDecoder& fastestdet_decoder();
/// Ultralytics YOLOv8 export: one output 1 x (4+80) x N of cx, cy, w, h (input pixels) and class scores.
const OnnxDecoder& yolov8_decoder();
/// Ultralytics YOLOv5 export: one output 1 x N x (5+80) of cx, cy, w, h, objectness and class scores.
const OnnxDecoder& yolov5_decoder();

/// The decoder of `family`, or nullptr when there is none.
const OnnxDecoder* find_onnx_decoder(std::string_view family) noexcept;
/// "nanodet", "fastestdet", "yolov8", "yolov5".
std::vector<std::string> onnx_family_names();

/// The number of classes every supported family predicts: COCO's 80, in the standard order.
inline constexpr int kCocoClassCount = 80;

/// The index of the highest of `count` contiguous class scores (the first one on ties).
inline int best_class(const float* scores, int count) {
    return static_cast<int>(std::max_element(scores, scores + count) - scores);
}

/// A tensor's shape with leading 1s removed until at most `rank` dimensions remain.
std::vector<int> squeezed_shape(const cv::Mat& tensor, int rank);
/// "1x85x22x22, 400x80": the shapes of `outputs`, for error messages.
std::string describe_shapes(const std::vector<cv::Mat>& outputs);

}  // namespace edgebench::detail
