#pragma once
// The per-image, per-category core of COCO's box evaluation (pycocotools' computeIoU and evaluateImg),
// plus the same greedy matching at a single IoU threshold for the operating point. Kept apart from
// the Evaluator so that its exact semantics can be read and tested on their own.

#include <array>
#include <cstdint>
#include <vector>

#include "edgebench/types.hpp"

namespace edgebench::detail {

inline constexpr int kIouThresholdCount = 10;
inline constexpr int kRecallThresholdCount = 101;
inline constexpr int kAreaRangeCount = 4;
inline constexpr int kMaxDetectionsCount = 3;
inline constexpr std::array<int, kMaxDetectionsCount> kMaxDetections = {1, 10, 100};

struct AreaRange {
    double low;
    double high;
};

/// .50:.05:.95, computed with the same floating-point steps as numpy.linspace so that comparisons
/// against them give pycocotools' answers bit for bit.
const std::array<double, kIouThresholdCount>& coco_iou_thresholds();
/// 0:.01:1, likewise.
const std::array<double, kRecallThresholdCount>& coco_recall_thresholds();
/// all, small, medium, large; both ends inclusive, as in pycocotools.
const std::array<AreaRange, kAreaRangeCount>& coco_area_ranges();

/// Box IoU as pycocotools' bbIou computes it: for a crowd region the union is the detection's area.
double coco_box_iou(const BBox& detection, const BBox& ground_truth, bool crowd) noexcept;

struct GroundTruthObject {
    BBox bbox;
    double area = 0;
    bool crowd = false;
    /// pycocotools stores matched ground-truth ids and tests them for non-zero, so a detection matched to
    /// an annotation whose id is 0 counts as unmatched. Reproduced for identical numbers.
    bool zero_id = false;
};

struct ScoredBox {
    BBox bbox;
    double score = 0;
};

/// COCO's evaluation of one image and one category for the four area ranges at once.
struct CocoImageEvaluation {
    /// Kept detections in COCO's order (descending score, ties in input order), at most 100.
    std::vector<double> scores;
    /// Per kept detection and area range: bit t set when COCO's dtMatches at IoU threshold t is non-zero.
    std::vector<std::array<std::uint16_t, kAreaRangeCount>> matched;
    /// Per kept detection and area range: bit t set when COCO's dtIgnore at IoU threshold t is true.
    std::vector<std::array<std::uint16_t, kAreaRangeCount>> ignored;
    /// Per area range: ground truth that is neither crowd nor outside the range.
    std::array<int, kAreaRangeCount> non_ignored_ground_truth{};
};

enum class MatchStatus : std::uint8_t { TruePositive, FalsePositive, Ignored };

/// Detections of one image and category, sorted the way COCO sorts them, with their IoU against the
/// ground truth (row-major: detection x ground truth).
struct SortedDetections {
    std::vector<ScoredBox> boxes;
    std::vector<double> ious;
};

/// Sorts `detections` (input order breaks score ties) and computes the IoU matrix.
SortedDetections sort_and_measure(const std::vector<ScoredBox>& detections,
                                  const std::vector<GroundTruthObject>& ground_truth);

/// pycocotools' evaluateImg for every area range, with maxDets 100.
CocoImageEvaluation evaluate_coco(const SortedDetections& detections, const std::vector<GroundTruthObject>& ground_truth);

/// The status of every detection (in sorted order) when matched greedily at one IoU threshold: each
/// detection takes the unmatched non-crowd ground truth of highest IoU; one that only overlaps a crowd
/// region is ignored; anything else is a false positive.
std::vector<MatchStatus> match_at_threshold(const SortedDetections& detections,
                                            const std::vector<GroundTruthObject>& ground_truth, double iou_threshold);

}  // namespace edgebench::detail
