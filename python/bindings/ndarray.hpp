#pragma once
// Conversions between numpy arrays / Python bytes and OpenCV images / byte vectors.

#include <cstdint>
#include <span>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace edgebench::python {

/// A copy of `image` as a numpy uint8 array of shape (H, W) or (H, W, C); None for an empty image.
pybind11::object to_ndarray(const cv::Mat& image);
/// A copy of a numpy uint8 array of shape (H, W) or (H, W, C) with C in {1, 3, 4}; channels in BGR order
/// as OpenCV uses. Raises ValueError for other shapes or types.
cv::Mat to_mat(const pybind11::array& array);

/// Bytes-like input (bytes, bytearray, memoryview, 1-D uint8 array) viewed without copying. The view
/// lives as long as the Python object, which the caller keeps alive.
class ByteView {
public:
    explicit ByteView(const pybind11::object& object);
    std::span<const std::uint8_t> span() const noexcept { return {data_, size_}; }

private:
    pybind11::buffer_info info_;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

pybind11::bytes to_bytes(const std::vector<std::uint8_t>& data);

}  // namespace edgebench::python
