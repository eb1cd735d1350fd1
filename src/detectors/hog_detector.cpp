// The `opencv` backend: classic detectors that need no model file. `opencv:hog` is OpenCV's HOG + linear
// SVM pedestrian detector (Dalal & Triggs, trained on INRIA), reported as COCO `person`.
//
// Scores: the SVM's decision value d for a window (its distance from the hyperplane, in margin units;
// windows are reported when d > 0) becomes score = 1 / (1 + exp(-d)). The mapping is monotonic, puts the
// SVM's own decision boundary at 0.5 and the strong detections (d of 1 to 3) at 0.73-0.95, so that
// thresholds and COCO's score-ranked AP mean the same for HOG as for the neural models.
// Boxes: OpenCV's own grouping of overlapping windows loses their decision values, so the raw windows
// go through the same per-class NMS as every other backend instead. A 64x128 detection window has a
// margin around the person (INRIA crops are about 16 px taller and 16 px wider on each side than the
// person); the reported box is the window without that margin.

#include <cmath>

#include <opencv2/objdetect.hpp>

#include "detectors/backends.hpp"
#include "detectors/bgr_image.hpp"
#include "detectors/candidate_selection.hpp"
#include "edgebench/error.hpp"
#include "internal/stopwatch.hpp"

namespace edgebench::detail {
namespace {

// Fractions of the detection window outside the person, on each side.
constexpr float kMarginX = 16.f / 64.f;
constexpr float kMarginY = 16.f / 128.f;
constexpr double kPyramidScale = 1.05;

const CategoryTable& person_only() {
    static const CategoryTable table({CategoryTable::coco().at(1)});
    return table;
}

class HogDetector final : public Detector {
public:
    explicit HogDetector(DetectorOptions options) : options_(std::move(options)) {
        if (options_.device != "cpu") throw Error("opencv:hog runs on the CPU only", "device");
        if (options_.threads > 0) cv::setNumThreads(options_.threads);  // process-wide in OpenCV
        hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
    }

    DetectionResult detect(const cv::Mat& image) override {
        Stopwatch watch;
        DetectionResult result;
        const cv::Mat bgr = to_bgr8(image);
        result.timings.prepare_ms = watch.lap();
        // A person smaller than the 64x128 window cannot be found; such an image has no detections.
        if (bgr.cols < hog_.winSize.width || bgr.rows < hog_.winSize.height) return result;
        std::vector<cv::Rect> windows;
        std::vector<double> decision_values;
        hog_.detectMultiScale(bgr, windows, decision_values, 0.0, cv::Size(8, 8), cv::Size(0, 0), kPyramidScale,
                              0.0 /* no grouping: keep each window's decision value */, false);
        result.timings.forward_ms = watch.lap();

        std::vector<Candidate> candidates;
        candidates.reserve(windows.size());
        for (std::size_t i = 0; i < windows.size() && i < decision_values.size(); ++i) {
            const auto& w = windows[i];
            const float dx = kMarginX * static_cast<float>(w.width);
            const float dy = kMarginY * static_cast<float>(w.height);
            const float score = 1.f / (1.f + std::exp(-static_cast<float>(decision_values[i])));
            candidates.push_back({0, score, static_cast<float>(w.x) + dx, static_cast<float>(w.y) + dy,
                                  static_cast<float>(w.x + w.width) - dx, static_cast<float>(w.y + w.height) - dy});
        }
        InputGeometry identity;
        identity.image_width = bgr.cols;
        identity.image_height = bgr.rows;
        result.detections = select_detections(candidates, identity, person_only(), options_);
        result.timings.postprocess_ms = watch.lap();
        return result;
    }

    std::unique_ptr<Detector> clone() const override { return std::make_unique<HogDetector>(options_); }
    const CategoryTable& categories() const override { return person_only(); }
    DetectorInfo info() const override { return {"opencv:hog", "opencv", "hog", "", 0, 0, options_.device}; }
    const DetectorOptions& options() const override { return options_; }

private:
    DetectorOptions options_;
    cv::HOGDescriptor hog_;
};

}  // namespace

DetectorRegistry::Backend opencv_backend() {
    return {"opencv", "opencv:hog",
            "classic OpenCV detectors, no model file: hog is the HOG + linear SVM people detector (COCO person "
            "only; score = logistic of the SVM decision value)",
            [](const DetectorSpec& spec, const DetectorOptions& options) -> std::unique_ptr<Detector> {
                if (spec.rest == "hog") return std::make_unique<HogDetector>(options);
                throw Error("unknown OpenCV detector '" + spec.rest + "' in '" + spec.text + "'; known: hog", "model");
            }};
}

}  // namespace edgebench::detail
