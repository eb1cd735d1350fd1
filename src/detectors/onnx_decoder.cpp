#include "detectors/onnx_decoder.hpp"

namespace edgebench::detail {

const OnnxDecoder* find_onnx_decoder(std::string_view family) noexcept {
    for (const OnnxDecoder* decoder : {&nanodet_decoder(), &fastestdet_decoder(), &yolov8_decoder(), &yolov5_decoder()}) {
        if (decoder->family() == family) return decoder;
    }
    return nullptr;
}

std::vector<std::string> onnx_family_names() { return {"nanodet", "fastestdet", "yolov8", "yolov5"}; }

std::vector<int> squeezed_shape(const cv::Mat& tensor, int rank) {
    std::vector<int> shape(tensor.size.p, tensor.size.p + tensor.dims);
    while (static_cast<int>(shape.size()) > rank && shape.front() == 1) shape.erase(shape.begin());
    return shape;
}

std::string describe_shapes(const std::vector<cv::Mat>& outputs) {
    std::string text;
    for (const auto& output : outputs) {
        if (!text.empty()) text += ", ";
        for (int d = 0; d < output.dims; ++d) {
            if (d > 0) text += 'x';
            text += std::to_string(output.size[d]);
        }
    }
    return text.empty() ? "no outputs" : text;
}

}  // namespace edgebench::detail
