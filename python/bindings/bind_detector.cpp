// Detectors: options, results, the Detector interface (subclassable in Python), the registry (with
// backends whose factory is a Python callable), make_detector and detect_dataset.

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "detector_holder.hpp"
#include "edgebench/coco_results.hpp"
#include "edgebench/detect_dataset.hpp"
#include "edgebench/detector.hpp"
#include "edgebench/error.hpp"
#include "ndarray.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {
namespace {

DetectorOptions options_from_kwargs(double score_threshold, double nms_iou_threshold, int max_detections,
                                    std::string device, int threads, int warmup_runs) {
    DetectorOptions options;
    options.score_threshold = score_threshold;
    options.nms_iou_threshold = nms_iou_threshold;
    options.max_detections = max_detections;
    options.device = std::move(device);
    options.threads = threads;
    options.warmup_runs = warmup_runs;
    options.validate();
    return options;
}

// `options=None, **kwargs` as make_detector and DetectorRegistry.create take them: a DetectorOptions,
// or its fields as keywords, not both.
DetectorOptions options_from(const py::object& options, const py::kwargs& kwargs) {
    if (!options.is_none() && kwargs.size() > 0) {
        throw py::type_error("give a DetectorOptions or its fields as keywords, not both");
    }
    if (!options.is_none()) return options.cast<DetectorOptions>();
    return py::type::of<DetectorOptions>()(**kwargs).cast<DetectorOptions>();
}

std::string repr(const DetectorOptions& o) {
    return "DetectorOptions(score_threshold=" + py::repr(py::float_(o.score_threshold)).cast<std::string>() +
           ", nms_iou_threshold=" + py::repr(py::float_(o.nms_iou_threshold)).cast<std::string>() +
           ", max_detections=" + std::to_string(o.max_detections) + ", device='" + o.device +
           "', threads=" + std::to_string(o.threads) + ", warmup_runs=" + std::to_string(o.warmup_runs) + ")";
}

std::shared_ptr<Detector> to_shared(std::unique_ptr<Detector> detector) { return std::shared_ptr<Detector>(std::move(detector)); }

// A registry backend whose factory is a Python callable (spec, options) -> Detector. The callable is
// held through PythonRef: the registry copies backends freely, from any thread.
DetectorRegistry::Backend python_backend(std::string name, const py::function& factory, std::string usage,
                                         std::string description) {
    auto callable = std::make_shared<PythonRef>(factory);
    return {std::move(name), std::move(usage), std::move(description),
            [callable](const DetectorSpec& spec, const DetectorOptions& options) -> std::unique_ptr<Detector> {
                py::gil_scoped_acquire gil;
                py::object made;
                try {
                    made = callable->object()(spec, options);
                } catch (py::error_already_set& error) {
                    const py::object error_type = py::module_::import("edgebench._core").attr("Error");
                    if (!error.matches(error_type)) throw;
                    const py::object value = error.value();
                    throw Error(py::str(py::getattr(value, "message", value)).cast<std::string>(), "model");
                }
                if (!py::isinstance<Detector>(made)) {
                    throw Error("the factory of backend '" + spec.backend + "' returned " +
                                    py::str(py::type::of(made)).cast<std::string>() + ", not an edgebench.Detector",
                                "model");
                }
                return std::make_unique<SharedDetector>(detector_from_python(made));
            }};
}

void bind_values(py::module_& m) {
    py::class_<DetectorOptions>(m, "DetectorOptions", R"doc(Settings common to every detector backend.

DetectorOptions(score_threshold=0.05, nms_iou_threshold=0.5, max_detections=100, device='cpu', threads=0,
                warmup_runs=1)
  threads   intra-op threads; for the OpenCV backends this is cv::setNumThreads, which is process-wide
  device    'cpu', 'cuda' or 'cuda:N'; asking for CUDA where the backend lacks it is an Error)doc")
        .def(py::init(&options_from_kwargs), "score_threshold"_a = 0.05, "nms_iou_threshold"_a = 0.5,
             "max_detections"_a = 100, "device"_a = "cpu", "threads"_a = 0, "warmup_runs"_a = 1)
        .def_readwrite("score_threshold", &DetectorOptions::score_threshold)
        .def_readwrite("nms_iou_threshold", &DetectorOptions::nms_iou_threshold)
        .def_readwrite("max_detections", &DetectorOptions::max_detections)
        .def_readwrite("device", &DetectorOptions::device)
        .def_readwrite("threads", &DetectorOptions::threads)
        .def_readwrite("warmup_runs", &DetectorOptions::warmup_runs)
        .def("validate", &DetectorOptions::validate)
        .def("__repr__", [](const DetectorOptions& o) { return repr(o); });

    py::class_<DetectorTimings>(m, "DetectorTimings", "Milliseconds of one detect() call, by stage.")
        .def(py::init([](double prepare_ms, double forward_ms, double postprocess_ms) {
                 return DetectorTimings{prepare_ms, forward_ms, postprocess_ms};
             }),
             "prepare_ms"_a = 0.0, "forward_ms"_a = 0.0, "postprocess_ms"_a = 0.0)
        .def_readwrite("prepare_ms", &DetectorTimings::prepare_ms)
        .def_readwrite("forward_ms", &DetectorTimings::forward_ms)
        .def_readwrite("postprocess_ms", &DetectorTimings::postprocess_ms)
        .def_property_readonly("total_ms", &DetectorTimings::total_ms)
        .def("__repr__", [](const DetectorTimings& t) {
            return "DetectorTimings(prepare_ms=" + py::repr(py::float_(t.prepare_ms)).cast<std::string>() +
                   ", forward_ms=" + py::repr(py::float_(t.forward_ms)).cast<std::string>() +
                   ", postprocess_ms=" + py::repr(py::float_(t.postprocess_ms)).cast<std::string>() + ")";
        });

    py::class_<DetectionResult>(m, "DetectionResult",
                                "Detections of one image (image pixels, by descending score) and the timings.")
        .def(py::init([](std::vector<Detection> detections, const DetectorTimings& timings) {
                 return DetectionResult{std::move(detections), timings};
             }),
             "detections"_a = std::vector<Detection>(), "timings"_a = DetectorTimings())
        .def_readwrite("detections", &DetectionResult::detections)
        .def_readwrite("timings", &DetectionResult::timings)
        .def("__len__", [](const DetectionResult& r) { return r.detections.size(); })
        .def("__repr__", [](const DetectionResult& r) {
            return "DetectionResult(" + std::to_string(r.detections.size()) + " detections, " +
                   py::repr(py::float_(r.timings.total_ms())).cast<std::string>() + " ms)";
        });

    py::class_<DetectorInfo>(m, "DetectorInfo", "Facts about a constructed detector.")
        .def(py::init([](std::string spec, std::string backend, std::string family, std::string model_path,
                         int input_width, int input_height, std::string device) {
                 return DetectorInfo{std::move(spec),       std::move(backend), std::move(family), std::move(model_path),
                                     input_width,           input_height,       std::move(device)};
             }),
             "spec"_a = "", "backend"_a = "python", "family"_a = "", "model_path"_a = "", "input_width"_a = 0,
             "input_height"_a = 0, "device"_a = "cpu")
        .def_readwrite("spec", &DetectorInfo::spec)
        .def_readwrite("backend", &DetectorInfo::backend)
        .def_readwrite("family", &DetectorInfo::family)
        .def_readwrite("model_path", &DetectorInfo::model_path)
        .def_readwrite("input_width", &DetectorInfo::input_width)
        .def_readwrite("input_height", &DetectorInfo::input_height)
        .def_readwrite("device", &DetectorInfo::device)
        .def("__repr__", [](const DetectorInfo& i) {
            return "DetectorInfo(spec='" + i.spec + "', backend='" + i.backend + "', family='" + i.family + "', " +
                   std::to_string(i.input_width) + "x" + std::to_string(i.input_height) + ", device='" + i.device +
                   "')";
        });

    py::class_<DetectorSpec>(m, "DetectorSpec", "A parsed spec string: backend[:rest].")
        .def_static("parse", &DetectorSpec::parse, "text"_a)
        .def_readonly("text", &DetectorSpec::text)
        .def_readonly("backend", &DetectorSpec::backend)
        .def_readonly("rest", &DetectorSpec::rest)
        .def("__repr__", [](const DetectorSpec& s) { return "DetectorSpec('" + s.text + "')"; });
}

void bind_detector_class(py::module_& m) {
    py::class_<Detector, PythonDetector, std::shared_ptr<Detector>>(m, "Detector", R"doc(An object detector.

Built-in detectors come from make_detector(spec). To write one in Python, subclass it:

    class Mine(edgebench.Detector):
        def __init__(self):
            super().__init__(edgebench.DetectorOptions(score_threshold=0.3))  # options are optional
        def detect(self, image):            # numpy uint8 array (H, W, 3), BGR
            return [edgebench.Detection(1, edgebench.BBox(0, 0, 10, 10), 0.9)]  # or a DetectionResult
        def categories(self):               # optional: default the 80 COCO classes; read once
            return edgebench.CategoryTable.coco()
        def info(self):                     # optional: default backend 'python', family the class name
            return edgebench.DetectorInfo(spec='mine', backend='python')

and hand it to anything that takes a Detector (detect_dataset, services): C++ then calls it with the GIL
held, enforces the options (score threshold, max_detections), clips and sorts. clone() of a Python
detector shares the Python object. detect() on a built-in detector releases the GIL.)doc")
        .def(py::init_alias<>())
        .def(py::init_alias<DetectorOptions>(), "options"_a)
        .def("detect",
             [](Detector& self, const py::array& image) {
                 cv::Mat mat;
                 try {
                     mat = to_mat(image);
                 } catch (const py::value_error& error) {  // as every detector reports a bad image
                     throw Error(error.what(), "image");
                 }
                 py::gil_scoped_release release;
                 return self.detect(mat);
             },
             "image"_a, "Detect objects in a BGR (or gray) uint8 image array; returns a DetectionResult.")
        .def("clone", [](const Detector& self) { return to_shared(self.clone()); },
             "An independent detector with the same model and options, for another thread.")
        .def("thread_safe", &Detector::thread_safe, "Whether detect() may run in several threads at once.")
        .def("categories", &Detector::categories, py::return_value_policy::copy, "The classes it reports.")
        .def("info", &Detector::info)
        .def_property_readonly("options", &Detector::options, py::return_value_policy::copy)
        .def("__repr__", [](const Detector& self) { return "<edgebench.Detector " + self.info().spec + ">"; });
}

void bind_registry(py::module_& m) {
    py::class_<DetectorRegistry::Backend>(m, "DetectorBackend", "A registry entry: spec prefix, usage, description.")
        .def_readonly("name", &DetectorRegistry::Backend::name)
        .def_readonly("usage", &DetectorRegistry::Backend::usage)
        .def_readonly("description", &DetectorRegistry::Backend::description)
        .def("__repr__", [](const DetectorRegistry::Backend& b) { return "DetectorBackend('" + b.usage + "')"; });

    py::class_<DetectorRegistry>(m, "DetectorRegistry", R"doc(Builds detectors from spec strings.

Start from DetectorRegistry.with_builtin_backends() and add your own backends; a factory is any callable
factory(spec: DetectorSpec, options: DetectorOptions) -> Detector (a built-in or a Python subclass).)doc")
        .def(py::init<>())
        .def_static("with_builtin_backends", &DetectorRegistry::with_builtin_backends)
        .def("add", [](DetectorRegistry& self, std::string name, const py::function& factory, std::string usage,
                       std::string description) {
                 if (usage.empty()) usage = name;
                 self.add(python_backend(std::move(name), factory, std::move(usage), std::move(description)));
             },
             "name"_a, "factory"_a, "usage"_a = "", "description"_a = "")
        .def("contains", &DetectorRegistry::contains, "name"_a)
        .def("__contains__", &DetectorRegistry::contains, "name"_a)
        .def("backends", &DetectorRegistry::backends)
        .def("create",
             [](const DetectorRegistry& self, const std::string& spec, const py::object& options, const py::kwargs& kwargs) {
                 const DetectorOptions resolved = options_from(options, kwargs);
                 py::gil_scoped_release release;  // loading and warming up a model takes a while
                 return to_shared(self.create(spec, resolved));
             },
             "spec"_a, "options"_a = py::none(),
             "Build the detector `spec` names, with a DetectorOptions or its fields as keywords.");

    m.def("make_detector",
          [](const std::string& spec, const py::object& options, const py::kwargs& kwargs) {
              const DetectorOptions resolved = options_from(options, kwargs);
              py::gil_scoped_release release;
              return to_shared(make_detector(spec, resolved));
          },
          "spec"_a, "options"_a = py::none(),
          "Build a detector from a spec ('onnx:nanodet:PATH', 'opencv:hog', 'none', ... see `edgebench models`) "
          "with a DetectorOptions or its fields as keywords: make_detector(spec, score_threshold=0.3).");
}

void bind_detect_dataset(py::module_& m) {
    py::class_<DatasetDetections>(m, "DatasetDetections", "Detections of every image of a dataset, with timings.")
        .def_readonly("detections", &DatasetDetections::detections, "dict image id -> list of Detection")
        .def_readonly("images", &DatasetDetections::images)
        .def_readonly("total", &DatasetDetections::total, "summed DetectorTimings over all images")
        .def_readonly("wall_ms", &DatasetDetections::wall_ms)
        .def("mean", &DatasetDetections::mean, "mean DetectorTimings per image")
        .def("detection_count", &DatasetDetections::detection_count)
        .def("to_coco_json", [](const DatasetDetections& d, int indent) { return coco_results_to_json(d.detections, indent); },
             "indent"_a = -1, "The COCO results list as JSON text.")
        .def("save", [](const DatasetDetections& d, const std::string& path) { save_coco_results(path, d.detections); },
             "path"_a, "Write the COCO results list (atomically).")
        .def("__repr__", [](const DatasetDetections& d) {
            return "DatasetDetections(" + std::to_string(d.images) + " images, " + std::to_string(d.detection_count()) +
                   " detections)";
        });

    m.def("detect_dataset",
          [](const py::object& detector, const CocoDataset& dataset, std::size_t workers, const py::object& progress) {
              auto shared = detector_from_python(detector);
              DetectDatasetOptions options;
              options.workers = workers;
              if (!progress.is_none()) {
                  auto callable = std::make_shared<PythonRef>(progress);
                  options.progress = [callable](std::size_t done, std::size_t total) {
                      py::gil_scoped_acquire gil;
                      callable->object()(done, total);
                  };
              }
              py::gil_scoped_release release;
              return detect_dataset(*shared, dataset, options);
          },
          "detector"_a, "dataset"_a, "workers"_a = 1, "progress"_a = py::none(),
          "Run `detector` on every image of `dataset` (on `workers` threads, each with a clone unless the "
          "detector is thread-safe); progress(done, total) is called after each image.");
}

}  // namespace

void bind_detector(py::module_& m) {
    bind_values(m);
    bind_detector_class(m);
    bind_registry(m);
    bind_detect_dataset(m);
}

}  // namespace edgebench::python
