#pragma once
// From raw decoder candidates to the detections `Detector::detect()` returns: map to the image, clip,
// per-class NMS, sort by score, cap the count.

#include <cstddef>
#include <vector>

#include "detectors/network_input.hpp"
#include "edgebench/category_table.hpp"
#include "edgebench/detector.hpp"
#include "edgebench/types.hpp"

namespace edgebench::detail {

/// One box a decoder proposes, in network-input pixels (corners), with its class index and score.
struct Candidate {
    int class_index = 0;
    float score = 0;
    float x1 = 0;
    float y1 = 0;
    float x2 = 0;
    float y2 = 0;
};

/// Only the best-scoring candidates enter NMS, which is quadratic in the worst case; COCO keeps 100
/// detections per image, so this bound never drops a box that could survive.
inline constexpr std::size_t kMaxNmsCandidates = 4096;

/// Maps `candidates` back to the image with `geometry` and clips them, drops empty boxes, runs greedy
/// per-class NMS at `options.nms_iou_threshold` and returns at most `options.max_detections` in
/// descending score order (ties keep the decoder's order). Class index k becomes `classes[k].id`.
/// `candidates` is reordered. Scores below `options.score_threshold` are dropped here too.
std::vector<Detection> select_detections(std::vector<Candidate>& candidates, const InputGeometry& geometry,
                                         const CategoryTable& classes, const DetectorOptions& options);

}  // namespace edgebench::detail
