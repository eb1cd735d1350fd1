// The Evaluator, its results, and COCO results files.

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "edgebench/coco_results.hpp"
#include "edgebench/evaluator.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {
namespace {

EvaluatorOptions make_options(double iou_threshold, double score_threshold, int threads) {
    EvaluatorOptions options{iou_threshold, score_threshold, threads};
    options.validate();
    return options;
}

py::dict counts_dict(const DetectionCounts& c) {
    return py::dict("tp"_a = c.tp, "fp"_a = c.fp, "fn"_a = c.fn, "precision"_a = c.precision, "recall"_a = c.recall,
                    "f1"_a = c.f1);
}

}  // namespace

void bind_evaluator(py::module_& m) {
    py::class_<EvaluatorOptions>(m, "EvaluatorOptions", "Operating point and threads of an evaluation.")
        .def(py::init(&make_options), "iou_threshold"_a = 0.5, "score_threshold"_a = 0.5, "threads"_a = 1)
        .def_readwrite("iou_threshold", &EvaluatorOptions::iou_threshold)
        .def_readwrite("score_threshold", &EvaluatorOptions::score_threshold)
        .def_readwrite("threads", &EvaluatorOptions::threads);

    py::class_<DetectionCounts>(m, "DetectionCounts", "TP/FP/FN and precision/recall/F1 at an operating point.")
        .def_readonly("tp", &DetectionCounts::tp)
        .def_readonly("fp", &DetectionCounts::fp)
        .def_readonly("fn", &DetectionCounts::fn)
        .def_readonly("precision", &DetectionCounts::precision)
        .def_readonly("recall", &DetectionCounts::recall)
        .def_readonly("f1", &DetectionCounts::f1)
        .def("to_dict", &counts_dict)
        .def("__repr__", [](const DetectionCounts& c) {
            return "DetectionCounts(tp=" + std::to_string(c.tp) + ", fp=" + std::to_string(c.fp) +
                   ", fn=" + std::to_string(c.fn) + ", f1=" + std::to_string(c.f1) + ")";
        });

    py::class_<ImageMetrics>(m, "ImageMetrics", "One image scored at the operating point.")
        .def_readonly("counts", &ImageMetrics::counts)
        .def_readonly("ground_truth", &ImageMetrics::ground_truth)
        .def_readonly("detections", &ImageMetrics::detections)
        .def_property_readonly("tp", [](const ImageMetrics& x) { return x.counts.tp; })
        .def_property_readonly("fp", [](const ImageMetrics& x) { return x.counts.fp; })
        .def_property_readonly("fn", [](const ImageMetrics& x) { return x.counts.fn; })
        .def_property_readonly("precision", [](const ImageMetrics& x) { return x.counts.precision; })
        .def_property_readonly("recall", [](const ImageMetrics& x) { return x.counts.recall; })
        .def_property_readonly("f1", [](const ImageMetrics& x) { return x.counts.f1; });

    py::class_<CategoryMetrics>(m, "CategoryMetrics", "COCO and operating-point metrics of one class.")
        .def_readonly("category_id", &CategoryMetrics::category_id)
        .def_readonly("name", &CategoryMetrics::name)
        .def_readonly("ap", &CategoryMetrics::ap)
        .def_readonly("ap50", &CategoryMetrics::ap50)
        .def_readonly("ap75", &CategoryMetrics::ap75)
        .def_readonly("ar", &CategoryMetrics::ar)
        .def_readonly("counts", &CategoryMetrics::counts)
        .def_readonly("support", &CategoryMetrics::support);

    py::class_<ThresholdSweep>(m, "ThresholdSweep", "Precision/recall/F1 against the score threshold.")
        .def_readonly("thresholds", &ThresholdSweep::thresholds)
        .def_readonly("precision", &ThresholdSweep::precision)
        .def_readonly("recall", &ThresholdSweep::recall)
        .def_readonly("f1", &ThresholdSweep::f1);

    py::class_<EvaluationResult>(m, "EvaluationResult", "Everything an evaluation computed; to_dict() gives the JSON.")
        .def_readonly("stats", &EvaluationResult::stats)
        .def_readonly("per_category", &EvaluationResult::per_category)
        .def_readonly("iou_threshold", &EvaluationResult::iou_threshold)
        .def_readonly("score_threshold", &EvaluationResult::score_threshold)
        .def_readonly("micro", &EvaluationResult::micro)
        .def_readonly("macro", &EvaluationResult::macro)
        .def_readonly("weighted", &EvaluationResult::weighted)
        .def_readonly("sweep", &EvaluationResult::sweep)
        .def_readonly("sweep_per_category", &EvaluationResult::sweep_per_category)
        .def_readonly("best_f1_threshold", &EvaluationResult::best_f1_threshold)
        .def_readonly("best_f1", &EvaluationResult::best_f1)
        .def_readonly("image_count", &EvaluationResult::image_count)
        .def_readonly("ground_truth_count", &EvaluationResult::ground_truth_count)
        .def_readonly("detection_count", &EvaluationResult::detection_count)
        .def_property_readonly_static("stat_names", [](const py::object&) {
            const auto& names = EvaluationResult::stat_names();
            return std::vector<std::string>(names.begin(), names.end());
        })
        .def("to_json", &EvaluationResult::to_json, "indent"_a = -1)
        .def("to_text", &EvaluationResult::to_text)
        .def("to_dict", [](const EvaluationResult& r) {
            return py::module_::import("json").attr("loads")(r.to_json());
        }, "The documented JSON structure as Python objects.")
        .def("__str__", &EvaluationResult::to_text);

    py::class_<Evaluator>(m, "Evaluator", R"doc(Accumulates images and scores them like pycocotools, plus an operating point.

Evaluator(categories, iou_threshold=0.5, score_threshold=0.5, threads=1). add() may be called from
several threads; it returns the image's own ImageMetrics. summarize() returns an EvaluationResult.)doc")
        .def(py::init([](CategoryTable categories, double iou_threshold, double score_threshold, int threads) {
                 return Evaluator(std::move(categories), make_options(iou_threshold, score_threshold, threads));
             }),
             "categories"_a, "iou_threshold"_a = 0.5, "score_threshold"_a = 0.5, "threads"_a = 1)
        .def("add", &Evaluator::add, "image_id"_a, "ground_truth"_a, "detections"_a,
             py::call_guard<py::gil_scoped_release>())
        .def("summarize", &Evaluator::summarize, py::call_guard<py::gil_scoped_release>())
        .def_property_readonly("image_count", &Evaluator::image_count)
        .def_property_readonly("categories", &Evaluator::categories, py::return_value_policy::copy);

    m.def("evaluate_dataset", &evaluate, "ground_truth"_a, "detections"_a, "options"_a = EvaluatorOptions{},
          py::call_guard<py::gil_scoped_release>(),
          "Score a {image_id: [Detection]} mapping against a CocoDataset; returns an EvaluationResult.");
    m.def("score_image", &score_image, "ground_truth"_a, "detections"_a, "iou_threshold"_a = 0.5,
          "score_threshold"_a = 0.5, "TP/FP/FN and precision/recall/F1 of one image.");

    m.def("parse_coco_results", [](const std::string& text, const CocoDataset* ground_truth, const std::string& source) {
        return parse_coco_results(text, ground_truth, source);
    }, "json_text"_a, "ground_truth"_a = nullptr, "source"_a = "<memory>", py::call_guard<py::gil_scoped_release>(),
          "Parse a COCO results list into {image_id: [Detection]}; with ground_truth, ids are checked.");
    m.def("load_coco_results", &load_coco_results, "path"_a, "ground_truth"_a = nullptr,
          py::call_guard<py::gil_scoped_release>(),
          "Read a COCO results file as {image_id: [Detection]}; with ground_truth, ids must exist in it.");
    m.def("save_coco_results", &save_coco_results, "path"_a, "detections"_a, py::call_guard<py::gil_scoped_release>(),
          "Write {image_id: [Detection]} as a COCO results list (atomically).");
    m.def("coco_results_to_json", &coco_results_to_json, "detections"_a, "indent"_a = -1,
          "{image_id: [Detection]} as COCO results JSON text (image ids ascending).");
}

}  // namespace edgebench::python
