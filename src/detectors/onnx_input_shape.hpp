#pragma once
// The declared shape of an ONNX model's image input, read from the file's protobuf encoding. OpenCV 4.6
// cannot report it, and it decides the input size: most exports have a fixed one, and feeding another
// size fails deep inside the network with an unhelpful message.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace edgebench::detail {

/// Dimensions of the first graph input that is not an initializer (weights), -1 for a symbolic or
/// missing dimension; nullopt when the bytes are not a readable ONNX model. Never throws.
std::optional<std::vector<std::int64_t>> onnx_input_shape(std::span<const std::uint8_t> model) noexcept;

}  // namespace edgebench::detail
