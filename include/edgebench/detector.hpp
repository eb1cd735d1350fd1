#pragma once
/// \file
/// Object detectors behind one interface, built from a one-line spec such as `onnx:nanodet:model.onnx`.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "edgebench/category_table.hpp"
#include "edgebench/types.hpp"

namespace edgebench {

/// Wall-clock milliseconds of one `detect()` call, split by stage.
struct DetectorTimings {
    double prepare_ms = 0;      ///< resize/letterbox/normalise into the model's input
    double forward_ms = 0;      ///< the model's forward pass
    double postprocess_ms = 0;  ///< decoding outputs, NMS, mapping boxes back to the image

    double total_ms() const noexcept { return prepare_ms + forward_ms + postprocess_ms; }
};

/// What one `detect()` call returns.
struct DetectionResult {
    /// COCO category ids and `[x, y, width, height]` boxes in the pixels of the image given to
    /// `detect()`, clipped to it, sorted by descending score, at most `max_detections`.
    std::vector<Detection> detections;
    DetectorTimings timings;
};

/// Settings common to every backend. Backends ignore what does not apply to them.
struct DetectorOptions {
    /// Detections below this score are dropped. COCO mAP is computed on low-threshold detections;
    /// the evaluator's operating point applies its own, higher threshold.
    double score_threshold = 0.05;
    /// IoU above which per-class NMS suppresses the lower-scoring box (backends that run NMS).
    double nms_iou_threshold = 0.5;
    /// Keep at most this many detections per image (COCO evaluates 100).
    int max_detections = 100;
    /// "cpu", "cuda" or "cuda:N". CUDA is available where libtorch (or OpenCV DNN) was built with it;
    /// asking for it elsewhere is an `Error`, never a silent fall-back.
    std::string device = "cpu";
    /// Intra-op threads for the backend; 0 keeps the library's default. The OpenCV backends (`onnx`,
    /// `opencv`) call `cv::setNumThreads`, which is process-wide: the last such detector built sets it.
    int threads = 0;
    /// Forward passes on a blank image at construction, so that the first real request is not slow.
    int warmup_runs = 1;

    /// Throws `Error` naming the first invalid option.
    void validate() const;
};

/// Facts about a constructed detector, for logs, `edgebench models` and result manifests.
struct DetectorInfo {
    std::string spec;         ///< the spec it was built from
    std::string backend;      ///< "torchscript", "onnx", "opencv", "none", or a user backend
    std::string family;       ///< decoder family for ONNX ("nanodet", ...), model kind otherwise
    std::string model_path;   ///< empty for models that need no file
    int input_width = 0;      ///< 0 when the model takes any size
    int input_height = 0;
    std::string device;
};

/// An object detector.
///
/// Thread safety: `detect()` may be called from several threads at once only when `thread_safe()` says so
/// (TorchScript modules are; OpenCV DNN networks are not). Otherwise give each worker its own `clone()`,
/// which shares what can be shared (weights stay loaded once where the backend allows it).
class Detector {
public:
    virtual ~Detector() = default;

    /// Detects objects in an 8-bit BGR image (a 1-channel image is treated as grayscale). Throws `Error`
    /// for an empty image or one the model cannot take.
    virtual DetectionResult detect(const cv::Mat& image) = 0;
    /// An independent detector with the same model and options, for another worker thread.
    virtual std::unique_ptr<Detector> clone() const = 0;
    virtual bool thread_safe() const noexcept { return false; }
    /// The classes this detector can report, with their COCO (or dataset) ids.
    virtual const CategoryTable& categories() const = 0;
    virtual DetectorInfo info() const = 0;
    virtual const DetectorOptions& options() const = 0;
};

/// A parsed spec string: `backend[:family][:path]`.
///   `torchscript:PATH`, `onnx:nanodet:PATH`, `onnx:fastestdet:PATH`, `onnx:yolov8:PATH`, `onnx:yolov5:PATH`
///   (`onnx:FAMILY@SIZE:PATH` for another input size), `opencv:hog`,
///   `builtin` (the shapes model shipped with edgebench), `none`.
struct DetectorSpec {
    std::string text;     ///< the spec as given
    std::string backend;  ///< text before the first ':'
    std::string rest;     ///< text after the first ':' (empty when there is none)

    /// Splits a spec; throws `Error` for an empty or malformed one. Backends interpret `rest`.
    static DetectorSpec parse(std::string_view text);
};

/// Builds detectors from specs. A registry is a value: start from `with_builtin_backends()`, add your own
/// backends, and hand it to whatever builds detectors (servers, runners) so that they see yours too.
class DetectorRegistry {
public:
    using Factory = std::function<std::unique_ptr<Detector>(const DetectorSpec&, const DetectorOptions&)>;

    struct Backend {
        std::string name;         ///< the spec prefix, e.g. "onnx"
        std::string usage;        ///< spec forms, e.g. "onnx:{nanodet|fastestdet|yolov8}:PATH"
        std::string description;  ///< what it is and what it needs
        Factory factory;
    };

    DetectorRegistry() = default;
    /// torchscript, onnx, opencv, builtin and none.
    static DetectorRegistry with_builtin_backends();

    /// Adds (or replaces) a backend.
    void add(Backend backend);
    bool contains(std::string_view name) const;
    std::vector<Backend> backends() const;

    /// Builds a detector; throws `Error` naming the spec for an unknown backend, a missing or unreadable
    /// model file, or a model whose outputs do not fit the chosen decoder.
    std::unique_ptr<Detector> create(std::string_view spec, const DetectorOptions& options = {}) const;

private:
    std::map<std::string, Backend, std::less<>> backends_;
};

/// `DetectorRegistry::with_builtin_backends().create(spec, options)`.
std::unique_ptr<Detector> make_detector(std::string_view spec, const DetectorOptions& options = {});

}  // namespace edgebench
