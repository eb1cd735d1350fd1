#pragma once
/// \file
/// Scoring detections against ground truth: COCO's detection metrics exactly as pycocotools computes
/// them, an operating point (precision, recall, F1 per class at a score and IoU threshold), a sweep of
/// the score threshold, and per-image scores.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgebench/category_table.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/coco_results.hpp"
#include "edgebench/types.hpp"

namespace edgebench {

struct EvaluatorOptions {
    /// IoU a detection needs with a ground-truth box to count as a true positive at the operating point.
    double iou_threshold = 0.5;
    /// Detections with a score at or above this count at the operating point.
    double score_threshold = 0.5;
    /// Threads for `summarize()` (and for `evaluate()`'s per-image work); 1 keeps it on the calling thread.
    int threads = 1;

    /// Throws `Error` naming the first invalid option.
    void validate() const;
};

/// Counts and rates at one operating point. Rates whose denominator is zero are 0.
struct DetectionCounts {
    std::int64_t tp = 0;
    std::int64_t fp = 0;
    std::int64_t fn = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;

    /// Fills precision, recall and F1 from tp, fp and fn.
    static DetectionCounts from_counts(std::int64_t tp, std::int64_t fp, std::int64_t fn) noexcept;
};

/// One image scored at the operating point, over all its classes: what an edge server reports per
/// request. An image with nothing to find and nothing found scores precision = recall = F1 = 1.
struct ImageMetrics {
    DetectionCounts counts;
    std::int64_t ground_truth = 0;  ///< non-crowd ground-truth objects
    std::int64_t detections = 0;    ///< detections at or above the score threshold
};

/// Everything known about one class.
struct CategoryMetrics {
    Id category_id = 0;
    std::string name;
    // COCO metrics (area "all", 100 detections); -1 where undefined, as in pycocotools.
    double ap = -1;    ///< AP averaged over IoU .50:.05:.95
    double ap50 = -1;  ///< AP at IoU .50
    double ap75 = -1;  ///< AP at IoU .75
    double ar = -1;    ///< recall averaged over IoU .50:.05:.95 (COCO's AR@100 for this class)
    // Operating point.
    DetectionCounts counts;
    std::int64_t support = 0;  ///< non-crowd ground-truth objects
};

/// Precision/recall/F1 as functions of the score threshold (detections with score >= threshold count).
struct ThresholdSweep {
    std::vector<double> thresholds;
    std::vector<double> precision;
    std::vector<double> recall;
    std::vector<double> f1;
};

/// The full result of an evaluation.
struct EvaluationResult {
    /// The 12 numbers of pycocotools' `COCOeval.summarize()` for boxes, in its order: AP, AP50, AP75,
    /// AP small/medium/large, AR@1, AR@10, AR@100, AR small/medium/large. -1 where undefined.
    std::array<double, 12> stats{};
    /// Per class, in ascending category id (as COCO orders them).
    std::vector<CategoryMetrics> per_category;

    double iou_threshold = 0.5;
    double score_threshold = 0.5;
    /// Operating point over all classes: counts summed (micro), the mean of the per-class rates over the
    /// classes that have ground truth or detections (macro), and that mean weighted by support (weighted).
    DetectionCounts micro;
    DetectionCounts macro;
    DetectionCounts weighted;

    /// Over all classes, at 101 thresholds 0.00, 0.01, ..., 1.00.
    ThresholdSweep sweep;
    /// The same per class (keyed by category id).
    std::map<Id, ThresholdSweep> sweep_per_category;
    /// The score threshold that maximises micro F1 over all distinct detection scores (the highest such
    /// threshold on ties) and that F1; unset when there are no detections.
    std::optional<double> best_f1_threshold;
    double best_f1 = 0;

    std::size_t image_count = 0;
    std::size_t ground_truth_count = 0;  ///< including crowd regions
    std::size_t detection_count = 0;

    /// Names of the 12 stats, e.g. "AP", "AP50", ..., "AR_large".
    static const std::array<const char*, 12>& stat_names();
    /// The documented JSON: {"stats", "per_category", "operating_point", "best_f1_threshold", ...}.
    std::string to_json(int indent = -1) const;
    /// pycocotools' 12 summary lines followed by a per-class table.
    std::string to_text() const;
};

/// Accumulates images and scores them. `add()` may be called from several threads at once; the per-image
/// matching runs on the calling thread, so an edge server pays for scoring as it serves.
class Evaluator {
public:
    explicit Evaluator(CategoryTable categories, EvaluatorOptions options = {});
    ~Evaluator();
    Evaluator(Evaluator&&) noexcept;
    Evaluator& operator=(Evaluator&&) noexcept;

    /// Scores one image. Throws `Error` when the image was already added, or a box, score or category is
    /// invalid (naming the entry, e.g. `detections[3].category_id`).
    ImageMetrics add(Id image_id, const std::vector<Annotation>& ground_truth, const std::vector<Detection>& detections);

    /// The metrics of everything added so far (the evaluator can keep accepting images afterwards).
    EvaluationResult summarize() const;

    std::size_t image_count() const;
    const CategoryTable& categories() const noexcept;
    const EvaluatorOptions& options() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// Scores every image of `ground_truth` (images without detections count as such). Throws `Error` for
/// detections of images or categories that are not in the ground truth.
EvaluationResult evaluate(const CocoDataset& ground_truth, const DetectionsByImage& detections,
                          const EvaluatorOptions& options = {});

/// Scores one image at an operating point without keeping anything.
ImageMetrics score_image(const std::vector<Annotation>& ground_truth, const std::vector<Detection>& detections,
                         double iou_threshold = 0.5, double score_threshold = 0.5);

}  // namespace edgebench
