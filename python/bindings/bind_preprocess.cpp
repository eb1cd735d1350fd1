// PreprocessConfig, Preprocessor and their results.

#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "edgebench/preprocessor.hpp"
#include "ndarray.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {
namespace {

ImageEncoding encoding_from_name(const std::string& name) {
    // Reuse the C++ parser so that names and errors are the same everywhere.
    return PreprocessConfig::parse("format=" + name).encoding;
}

PreprocessConfig config_from_kwargs(bool grayscale, double resize, int max_side, std::optional<std::string> format,
                                    std::optional<int> quality) {
    PreprocessConfig config;
    config.grayscale = grayscale;
    config.resize_percent = resize;
    config.max_side = max_side;
    if (quality) {
        config.quality = *quality;
        config.encoding = ImageEncoding::Jpeg;
    }
    if (format) config.encoding = encoding_from_name(*format);
    config.validate();
    return config;
}

// Accepts a PreprocessConfig, a settings string, or None (the identity).
PreprocessConfig to_config(const py::object& value) {
    if (value.is_none()) return {};
    if (py::isinstance<PreprocessConfig>(value)) return value.cast<PreprocessConfig>();
    if (py::isinstance<py::str>(value)) return PreprocessConfig::parse(value.cast<std::string>());
    throw py::type_error("expected a PreprocessConfig, a settings string or None");
}

}  // namespace

void bind_preprocess(py::module_& m) {
    py::enum_<ImageEncoding>(m, "ImageEncoding")
        .value("ORIGINAL", ImageEncoding::Original)
        .value("JPEG", ImageEncoding::Jpeg)
        .value("PNG", ImageEncoding::Png)
        .value("WEBP", ImageEncoding::WebP);

    py::class_<PreprocessConfig>(m, "PreprocessConfig", R"doc(What the edge does to an image before detecting and forwarding.

PreprocessConfig(grayscale=False, resize=100.0, max_side=0, format=None, quality=None)
  resize   percent of each side, in (0, 400]
  max_side longest side in pixels after resizing (0: no limit)
  format   'original' (keep the input's format; identity forwards the received bytes), 'jpeg', 'png', 'webp'
  quality  1..100 for JPEG/WebP; giving it without a format means JPEG
PreprocessConfig.parse() also reads 'grayscale=0,resize=75,quality=50' and the original study's
'BW,0,quality,50%,resize,75%'.)doc")
        .def(py::init(&config_from_kwargs), "grayscale"_a = false, "resize"_a = 100.0, "max_side"_a = 0,
             "format"_a = py::none(), "quality"_a = py::none())
        .def_static("parse", &PreprocessConfig::parse, "text"_a)
        .def_readwrite("grayscale", &PreprocessConfig::grayscale)
        .def_readwrite("resize_percent", &PreprocessConfig::resize_percent)
        .def_readwrite("max_side", &PreprocessConfig::max_side)
        .def_readwrite("encoding", &PreprocessConfig::encoding)
        .def_readwrite("quality", &PreprocessConfig::quality)
        .def("validate", &PreprocessConfig::validate)
        .def("changes_pixels", &PreprocessConfig::changes_pixels)
        .def("to_string", &PreprocessConfig::to_string)
        .def("__str__", &PreprocessConfig::to_string)
        .def("__repr__", [](const PreprocessConfig& c) { return "PreprocessConfig('" + c.to_string() + "')"; })
        .def(py::self == py::self)
        .def(py::pickle([](const PreprocessConfig& c) { return c.to_string(); },
                        [](const std::string& text) { return PreprocessConfig::parse(text); }));

    py::class_<PreprocessMetrics>(m, "PreprocessMetrics", "Sizes and wall-clock milliseconds of one preprocessing call.")
        .def_readonly("bytes_in", &PreprocessMetrics::bytes_in)
        .def_readonly("bytes_out", &PreprocessMetrics::bytes_out)
        .def_readonly("width_in", &PreprocessMetrics::width_in)
        .def_readonly("height_in", &PreprocessMetrics::height_in)
        .def_readonly("width_out", &PreprocessMetrics::width_out)
        .def_readonly("height_out", &PreprocessMetrics::height_out)
        .def_readonly("decode_ms", &PreprocessMetrics::decode_ms)
        .def_readonly("resize_ms", &PreprocessMetrics::resize_ms)
        .def_readonly("encode_ms", &PreprocessMetrics::encode_ms)
        .def_readonly("output_decode_ms", &PreprocessMetrics::output_decode_ms)
        .def_property_readonly("total_ms", &PreprocessMetrics::total_ms)
        .def("to_dict", [](const PreprocessMetrics& x) {
            return py::dict("bytes_in"_a = x.bytes_in, "bytes_out"_a = x.bytes_out, "width_in"_a = x.width_in,
                            "height_in"_a = x.height_in, "width_out"_a = x.width_out, "height_out"_a = x.height_out,
                            "decode_ms"_a = x.decode_ms, "resize_ms"_a = x.resize_ms, "encode_ms"_a = x.encode_ms,
                            "output_decode_ms"_a = x.output_decode_ms);
        });

    py::class_<PreprocessResult>(m, "PreprocessResult", "What preprocessing produced.")
        .def_property_readonly("encoded", [](const PreprocessResult& r) { return to_bytes(r.encoded); },
                               "The bytes to forward.")
        .def_readonly("format", &PreprocessResult::format)
        .def_property_readonly("image", [](const PreprocessResult& r) { return to_ndarray(r.image); },
                               "The image the detector sees (BGR uint8, H x W x 3), or None when not requested.")
        .def_readonly("metrics", &PreprocessResult::metrics)
        .def_readonly("scale_x", &PreprocessResult::scale_x)
        .def_readonly("scale_y", &PreprocessResult::scale_y)
        .def("to_original", py::overload_cast<const BBox&>(&PreprocessResult::to_original, py::const_), "box"_a,
             "Map a box in preprocessed pixels back to the original image.")
        .def("to_original", py::overload_cast<std::vector<Detection>>(&PreprocessResult::to_original, py::const_),
             "detections"_a);

    py::class_<PreprocessLimits>(m, "PreprocessLimits", "The largest image (width x height pixels) a Preprocessor decodes.")
        .def(py::init([](std::int64_t max_pixels) { return PreprocessLimits{max_pixels}; }), "max_pixels"_a = 100'000'000)
        .def_readwrite("max_pixels", &PreprocessLimits::max_pixels);

    py::class_<Preprocessor>(m, "Preprocessor", R"doc(Applies a PreprocessConfig to images; safe to share between threads.

Preprocessor(config=None, **settings): config is a PreprocessConfig or a settings string; keyword settings
(grayscale, resize, max_side, format, quality) build one instead.)doc")
        .def(py::init([](const py::object& config, const PreprocessLimits& limits, const py::kwargs& settings) {
                 if (settings.empty()) return Preprocessor(to_config(config), limits);
                 if (!config.is_none()) throw py::type_error("give either config or keyword settings, not both");
                 py::object built = py::module_::import("edgebench._core").attr("PreprocessConfig")(**settings);
                 return Preprocessor(built.cast<PreprocessConfig>(), limits);
             }),
             "config"_a = py::none(), "limits"_a = PreprocessLimits{})
        .def_property_readonly("config", &Preprocessor::config)
        .def("process",
             [](const Preprocessor& p, const py::object& data, bool want_image) {
                 PreprocessResult result;
                 if (py::isinstance<py::array>(data) && py::array(data.cast<py::array>()).ndim() >= 2) {
                     const cv::Mat image = to_mat(data.cast<py::array>());
                     py::gil_scoped_release release;
                     result = p.process(image, want_image);
                 } else {
                     const ByteView bytes(data);
                     py::gil_scoped_release release;
                     result = p.process(bytes.span(), want_image);
                 }
                 return result;
             },
             "data"_a, "want_image"_a = true,
             "Preprocess encoded bytes (JPEG, PNG, WebP) or a decoded uint8 image array (BGR).")
        .def("output_size", [](const Preprocessor& p, int width, int height) {
            const auto size = p.output_size(width, height);
            return py::make_tuple(size.width, size.height);
        }, "width"_a, "height"_a);
}

}  // namespace edgebench::python
