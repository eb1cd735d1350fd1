#include "ndarray.hpp"

#include <cstring>

namespace py = pybind11;

namespace edgebench::python {

py::object to_ndarray(const cv::Mat& image) {
    if (image.empty()) return py::none();
    if (image.depth() != CV_8U) throw py::value_error("only 8-bit images convert to numpy");
    const auto rows = static_cast<py::ssize_t>(image.rows);
    const auto cols = static_cast<py::ssize_t>(image.cols);
    const auto channels = static_cast<py::ssize_t>(image.channels());
    py::array_t<std::uint8_t> array =
        channels == 1 ? py::array_t<std::uint8_t>({rows, cols}) : py::array_t<std::uint8_t>({rows, cols, channels});
    const std::size_t row_bytes = static_cast<std::size_t>(cols * channels);
    auto* out = static_cast<std::uint8_t*>(array.mutable_data());
    for (int r = 0; r < image.rows; ++r) std::memcpy(out + r * row_bytes, image.ptr(r), row_bytes);
    return array;
}

cv::Mat to_mat(const py::array& input) {
    if (!py::isinstance<py::array_t<std::uint8_t>>(input)) {
        throw py::value_error("expected a numpy array of dtype uint8, got dtype " + py::str(input.dtype()).cast<std::string>());
    }
    const auto array = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(input);
    if (array.ndim() != 2 && array.ndim() != 3) {
        throw py::value_error("expected an image of shape (H, W) or (H, W, C), got " + std::to_string(array.ndim()) +
                              " dimensions");
    }
    const int rows = static_cast<int>(array.shape(0));
    const int cols = static_cast<int>(array.shape(1));
    const int channels = array.ndim() == 3 ? static_cast<int>(array.shape(2)) : 1;
    if (channels != 1 && channels != 3 && channels != 4) {
        throw py::value_error("expected 1, 3 or 4 channels, got " + std::to_string(channels));
    }
    if (rows == 0 || cols == 0) throw py::value_error("the image is empty");
    cv::Mat image(rows, cols, CV_8UC(channels));
    std::memcpy(image.data, array.data(), static_cast<std::size_t>(rows) * cols * channels);
    return image;
}

ByteView::ByteView(const py::object& object) {
    if (!PyObject_CheckBuffer(object.ptr())) {
        throw py::type_error("expected bytes, bytearray, memoryview or a uint8 array, got " +
                             py::str(py::type::of(object)).cast<std::string>());
    }
    info_ = py::reinterpret_borrow<py::buffer>(object).request();
    if (info_.itemsize != 1 || info_.ndim > 1) {
        throw py::value_error("expected a one-dimensional buffer of bytes");
    }
    data_ = static_cast<const std::uint8_t*>(info_.ptr);
    size_ = static_cast<std::size_t>(info_.size);
}

py::bytes to_bytes(const std::vector<std::uint8_t>& data) {
    return py::bytes(reinterpret_cast<const char*>(data.data()), data.size());
}

}  // namespace edgebench::python
