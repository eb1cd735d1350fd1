#include "evaluation/coco_matching.hpp"

#include <algorithm>
#include <numeric>

namespace edgebench::detail {
namespace {

std::array<double, kIouThresholdCount> make_iou_thresholds() {
    // numpy.linspace(.5, .95, 10): start + i * step, with the last value set to the stop exactly.
    std::array<double, kIouThresholdCount> thresholds{};
    const double step = (0.95 - 0.5) / (kIouThresholdCount - 1);
    for (int i = 0; i < kIouThresholdCount; ++i) thresholds[i] = static_cast<double>(i) * step + 0.5;
    thresholds.back() = 0.95;
    return thresholds;
}

std::array<double, kRecallThresholdCount> make_recall_thresholds() {
    std::array<double, kRecallThresholdCount> thresholds{};
    const double step = (1.0 - 0.0) / (kRecallThresholdCount - 1);
    for (int i = 0; i < kRecallThresholdCount; ++i) thresholds[i] = static_cast<double>(i) * step + 0.0;
    thresholds.back() = 1.0;
    return thresholds;
}

// One pass of COCO's matching loop for one IoU threshold. `order` lists ground truth with the ignored ones
// last; `ignore` and `crowd` are indexed by position in `order`. `match[d]` receives the position of the
// matched ground truth or -1.
void greedy_match(const SortedDetections& detections, std::size_t detection_count, std::size_t gt_count,
                  const std::vector<int>& order, const std::vector<std::uint8_t>& ignore,
                  const std::vector<std::uint8_t>& crowd, double threshold, std::vector<int>& match,
                  std::vector<std::uint8_t>& taken) {
    std::fill(taken.begin(), taken.end(), 0);
    const double start = std::min(threshold, 1 - 1e-10);
    for (std::size_t d = 0; d < detection_count; ++d) {
        const double* row = &detections.ious[d * gt_count];
        double best = start;
        int m = -1;
        for (std::size_t p = 0; p < gt_count; ++p) {
            if (taken[p] && !crowd[p]) continue;
            if (m > -1 && !ignore[static_cast<std::size_t>(m)] && ignore[p]) break;
            const double iou = row[order[p]];
            if (iou < best) continue;
            best = iou;
            m = static_cast<int>(p);
        }
        match[d] = m;
        if (m >= 0) taken[static_cast<std::size_t>(m)] = 1;
    }
}

// Ground truth positions with the ignored ones last, keeping their relative order (a stable sort on the
// ignore flag, as numpy's mergesort argsort does).
std::vector<int> ignored_last(const std::vector<std::uint8_t>& ignored_by_index) {
    std::vector<int> order(ignored_by_index.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_partition(order.begin(), order.end(), [&](int g) { return !ignored_by_index[static_cast<std::size_t>(g)]; });
    return order;
}

}  // namespace

const std::array<double, kIouThresholdCount>& coco_iou_thresholds() {
    static const auto thresholds = make_iou_thresholds();
    return thresholds;
}

const std::array<double, kRecallThresholdCount>& coco_recall_thresholds() {
    static const auto thresholds = make_recall_thresholds();
    return thresholds;
}

const std::array<AreaRange, kAreaRangeCount>& coco_area_ranges() {
    static const std::array<AreaRange, kAreaRangeCount> ranges = {
        {{0.0, 1e10}, {0.0, 1024.0}, {1024.0, 9216.0}, {9216.0, 1e10}}};
    return ranges;
}

double coco_box_iou(const BBox& d, const BBox& g, bool crowd) noexcept {
    // The same operations in the same order as maskApi.c's bbIou.
    const double w = std::min(d.width + d.x, g.width + g.x) - std::max(d.x, g.x);
    if (w <= 0) return 0.0;
    const double h = std::min(d.height + d.y, g.height + g.y) - std::max(d.y, g.y);
    if (h <= 0) return 0.0;
    const double intersection = w * h;
    const double detection_area = d.width * d.height;
    const double union_area = crowd ? detection_area : detection_area + g.width * g.height - intersection;
    return intersection / union_area;
}

SortedDetections sort_and_measure(const std::vector<ScoredBox>& detections, const std::vector<GroundTruthObject>& ground_truth) {
    SortedDetections sorted;
    sorted.boxes = detections;
    std::stable_sort(sorted.boxes.begin(), sorted.boxes.end(),
                     [](const ScoredBox& a, const ScoredBox& b) { return a.score > b.score; });
    const std::size_t gt_count = ground_truth.size();
    sorted.ious.resize(sorted.boxes.size() * gt_count);
    for (std::size_t d = 0; d < sorted.boxes.size(); ++d) {
        for (std::size_t g = 0; g < gt_count; ++g) {
            sorted.ious[d * gt_count + g] = coco_box_iou(sorted.boxes[d].bbox, ground_truth[g].bbox, ground_truth[g].crowd);
        }
    }
    return sorted;
}

CocoImageEvaluation evaluate_coco(const SortedDetections& detections, const std::vector<GroundTruthObject>& ground_truth) {
    constexpr std::size_t kMaxDets = 100;
    const std::size_t kept = std::min(detections.boxes.size(), kMaxDets);
    const std::size_t gt_count = ground_truth.size();

    CocoImageEvaluation result;
    result.scores.resize(kept);
    for (std::size_t d = 0; d < kept; ++d) result.scores[d] = detections.boxes[d].score;
    result.matched.assign(kept, {});
    result.ignored.assign(kept, {});

    std::vector<std::uint8_t> ignored_by_index(gt_count);
    std::vector<std::uint8_t> ignore(gt_count);
    std::vector<std::uint8_t> crowd(gt_count);
    std::vector<std::uint8_t> zero_id(gt_count);
    std::vector<std::uint8_t> taken(gt_count);
    std::vector<int> match(kept);
    const auto& thresholds = coco_iou_thresholds();

    for (int a = 0; a < kAreaRangeCount; ++a) {
        const AreaRange range = coco_area_ranges()[static_cast<std::size_t>(a)];
        int non_ignored = 0;
        for (std::size_t g = 0; g < gt_count; ++g) {
            const auto& object = ground_truth[g];
            ignored_by_index[g] = object.crowd || object.area < range.low || object.area > range.high;
            non_ignored += ignored_by_index[g] ? 0 : 1;
        }
        result.non_ignored_ground_truth[static_cast<std::size_t>(a)] = non_ignored;
        const std::vector<int> order = ignored_last(ignored_by_index);
        for (std::size_t p = 0; p < gt_count; ++p) {
            const auto g = static_cast<std::size_t>(order[p]);
            ignore[p] = ignored_by_index[g];
            crowd[p] = ground_truth[g].crowd;
            zero_id[p] = ground_truth[g].zero_id;
        }
        for (int t = 0; t < kIouThresholdCount; ++t) {
            const auto bit = static_cast<std::uint16_t>(1u << t);
            if (gt_count > 0) {
                greedy_match(detections, kept, gt_count, order, ignore, crowd, thresholds[static_cast<std::size_t>(t)],
                             match, taken);
            } else {
                std::fill(match.begin(), match.end(), -1);
            }
            for (std::size_t d = 0; d < kept; ++d) {
                bool matched_nonzero = false;
                bool ignored = false;
                if (match[d] >= 0) {
                    const auto p = static_cast<std::size_t>(match[d]);
                    ignored = ignore[p];
                    matched_nonzero = !zero_id[p];
                }
                // Unmatched detections outside the area range are ignored (COCO tests dtMatches == 0).
                if (!matched_nonzero) {
                    const BBox& box = detections.boxes[d].bbox;
                    const double area = box.width * box.height;
                    if (area < range.low || area > range.high) ignored = true;
                }
                if (matched_nonzero) result.matched[d][static_cast<std::size_t>(a)] |= bit;
                if (ignored) result.ignored[d][static_cast<std::size_t>(a)] |= bit;
            }
        }
    }
    return result;
}

std::vector<MatchStatus> match_at_threshold(const SortedDetections& detections,
                                            const std::vector<GroundTruthObject>& ground_truth, double iou_threshold) {
    const std::size_t count = detections.boxes.size();
    const std::size_t gt_count = ground_truth.size();
    std::vector<MatchStatus> status(count, MatchStatus::FalsePositive);
    if (gt_count == 0) return status;
    std::vector<std::uint8_t> crowd_by_index(gt_count);
    for (std::size_t g = 0; g < gt_count; ++g) crowd_by_index[g] = ground_truth[g].crowd;
    const std::vector<int> order = ignored_last(crowd_by_index);
    std::vector<std::uint8_t> crowd(gt_count);
    for (std::size_t p = 0; p < gt_count; ++p) crowd[p] = crowd_by_index[static_cast<std::size_t>(order[p])];
    std::vector<int> match(count);
    std::vector<std::uint8_t> taken(gt_count);
    greedy_match(detections, count, gt_count, order, crowd, crowd, iou_threshold, match, taken);
    for (std::size_t d = 0; d < count; ++d) {
        if (match[d] < 0) continue;
        status[d] = crowd[static_cast<std::size_t>(match[d])] ? MatchStatus::Ignored : MatchStatus::TruePositive;
    }
    return status;
}

}  // namespace edgebench::detail
