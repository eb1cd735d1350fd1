#include "detector_holder.hpp"

#include <algorithm>
#include <chrono>

#include <pybind11/stl.h>

#include "edgebench/error.hpp"
#include "ndarray.hpp"

namespace py = pybind11;

namespace edgebench::python {
namespace {

bool interpreter_running() noexcept {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsInitialized() && !Py_IsFinalizing();
#else
    return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

// The Python method `name` of a Python subclass, or an empty function when it does not override it.
py::function override_of(const PythonDetector* self, const char* name) {
    return py::get_override(static_cast<const Detector*>(self), name);
}

// A Python edgebench.Error raised in Python code becomes the C++ Error, so that C++ callers (servers
// turn it into a 4xx response) see what they would from a C++ detector; other exceptions pass through.
[[noreturn]] void rethrow(py::error_already_set& error) {
    const py::object error_type = py::module_::import("edgebench._core").attr("Error");
    if (error.matches(error_type)) {
        const py::object value = error.value();
        const auto text = [&](const char* attribute, std::string fallback) {
            const py::object item = py::getattr(value, attribute, py::none());
            return item.is_none() ? fallback : py::str(item).cast<std::string>();
        };
        throw Error(text("message", py::str(value).cast<std::string>()), text("field", ""), text("file", ""));
    }
    throw;
}

std::vector<Detection> as_detections(const py::object& returned) {
    if (py::isinstance<py::str>(returned) || !py::isinstance<py::sequence>(returned)) {
        throw Error("detect() must return a DetectionResult or a list of Detection, got " +
                        py::str(py::type::of(returned)).cast<std::string>(),
                    "detect");
    }
    std::vector<Detection> detections;
    for (const auto& item : returned) {
        if (!py::isinstance<Detection>(item)) {
            throw Error("detect() returned a list holding " + py::str(py::type::of(item)).cast<std::string>() +
                            "; expected Detection",
                        "detect");
        }
        detections.push_back(item.cast<Detection>());
    }
    return detections;
}

}  // namespace

PythonRef::~PythonRef() {
    if (!interpreter_running()) {
        object_.release();  // too late to touch Python; the process is ending anyway
        return;
    }
    py::gil_scoped_acquire gil;
    object_ = py::object();
}

DetectionResult PythonDetector::detect(const cv::Mat& image) {
    if (image.empty()) throw Error("empty image", "image");
    if (image.depth() != CV_8U) throw Error("expected an 8-bit image", "image");
    DetectionResult result;
    {
        py::gil_scoped_acquire gil;
        const py::function method = override_of(this, "detect");
        if (!method) throw Error("a Python Detector subclass must implement detect(image)", "detect");
        const auto start = std::chrono::steady_clock::now();
        try {
            const py::object returned = method(to_ndarray(image));
            if (py::isinstance<DetectionResult>(returned)) {
                result = returned.cast<DetectionResult>();
            } else {
                result.detections = as_detections(returned);
            }
        } catch (py::error_already_set& error) {
            rethrow(error);
        }
        if (result.timings.total_ms() == 0) {
            result.timings.forward_ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        }
    }
    // The Detector contract, whatever the Python code returned.
    auto& detections = result.detections;
    for (auto& d : detections) d.bbox = d.bbox.clipped(image.cols, image.rows);
    std::erase_if(detections, [&](const Detection& d) {
        return !(d.score >= options_.score_threshold) || !(d.bbox.width > 0 && d.bbox.height > 0);
    });
    std::stable_sort(detections.begin(), detections.end(),
                     [](const Detection& a, const Detection& b) { return a.score > b.score; });
    if (detections.size() > static_cast<std::size_t>(options_.max_detections)) {
        detections.resize(static_cast<std::size_t>(options_.max_detections));
    }
    return result;
}

std::unique_ptr<Detector> PythonDetector::clone() const {
    py::gil_scoped_acquire gil;
    const py::object self = py::cast(static_cast<const Detector*>(this), py::return_value_policy::reference);
    return std::make_unique<SharedDetector>(detector_from_python(self));
}

bool PythonDetector::thread_safe() const noexcept {
    try {
        py::gil_scoped_acquire gil;
        if (const py::function method = override_of(this, "thread_safe")) return method().cast<bool>();
    } catch (...) {  // noexcept: a failing Python override means "not thread-safe"
    }
    return false;
}

const CategoryTable& PythonDetector::categories() const {
    py::gil_scoped_acquire gil;
    if (!categories_) {
        const py::function method = override_of(this, "categories");
        if (!method) {
            categories_ = std::make_unique<CategoryTable>(CategoryTable::coco());
        } else {
            try {
                const py::object returned = method();
                categories_ = std::make_unique<CategoryTable>(
                    py::isinstance<CategoryTable>(returned) ? returned.cast<CategoryTable>()
                                                            : CategoryTable(returned.cast<std::vector<Category>>()));
            } catch (py::error_already_set& error) {
                rethrow(error);
            } catch (const py::cast_error&) {
                throw Error("categories() must return a CategoryTable or a list of Category", "categories");
            }
        }
    }
    return *categories_;
}

DetectorInfo PythonDetector::info() const {
    py::gil_scoped_acquire gil;
    if (const py::function method = override_of(this, "info")) {
        try {
            return method().cast<DetectorInfo>();
        } catch (py::error_already_set& error) {
            rethrow(error);
        } catch (const py::cast_error&) {
            throw Error("info() must return a DetectorInfo", "info");
        }
    }
    const py::object self = py::cast(static_cast<const Detector*>(this), py::return_value_policy::reference);
    const auto name = py::type::of(self).attr("__name__").cast<std::string>();
    return {"python:" + name, "python", name, "", 0, 0, options_.device};
}

std::shared_ptr<Detector> detector_from_python(const py::handle& object) {
    if (!py::isinstance<Detector>(object)) {
        throw py::type_error("expected an edgebench.Detector, got " + py::str(py::type::of(object)).cast<std::string>());
    }
    auto holder = object.cast<std::shared_ptr<Detector>>();
    if (!holder) throw py::type_error("this Detector was not initialised (did its __init__ call super().__init__()?)");
    if (!dynamic_cast<PythonDetector*>(holder.get())) return holder;
    // Shares ownership with a reference to the Python object, which owns the C++ half through its holder.
    auto keep_alive = std::make_shared<PythonRef>(py::reinterpret_borrow<py::object>(object));
    return std::shared_ptr<Detector>(keep_alive, holder.get());
}

}  // namespace edgebench::python
