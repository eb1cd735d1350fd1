// ONNX model files as far as edgebench reads them itself (onnx_input_shape: a small protobuf reader that
// finds the image input's declared shape, which decides the input size of `onnx:` detectors). It must
// never throw or read out of bounds, and report each dimension as positive or -1 (unknown).

#include <cstddef>
#include <cstdint>

#include "detectors/onnx_input_shape.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto shape = edgebench::detail::onnx_input_shape(edgebench::fuzz::bytes_of(data, size));
    if (shape) {
        for (const auto dim : *shape) edgebench::fuzz::check(dim == -1 || dim > 0, "a dimension neither positive nor -1");
    }
    return 0;
}
