#include "detectors/candidate_selection.hpp"

#include <algorithm>
#include <unordered_map>

namespace edgebench::detail {
namespace {

struct Mapped {
    int class_index;
    double score;
    std::size_t order;  // position in the decoder's output, to break ties the same way every time
    BBox box;
};

}  // namespace

std::vector<Detection> select_detections(std::vector<Candidate>& candidates, const InputGeometry& geometry,
                                         const CategoryTable& classes, const DetectorOptions& options) {
    const auto threshold = static_cast<float>(options.score_threshold);
    std::erase_if(candidates, [&](const Candidate& c) { return !(c.score >= threshold); });
    const auto by_score = [](const Candidate& a, const Candidate& b) { return a.score > b.score; };
    if (candidates.size() > kMaxNmsCandidates) {
        std::nth_element(candidates.begin(), candidates.begin() + kMaxNmsCandidates, candidates.end(), by_score);
        candidates.resize(kMaxNmsCandidates);
    }

    std::vector<Mapped> mapped;
    mapped.reserve(candidates.size());
    const double width = geometry.image_width;
    const double height = geometry.image_height;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& c = candidates[i];
        if (c.class_index < 0 || static_cast<std::size_t>(c.class_index) >= classes.size()) continue;
        const BBox box = BBox::from_corners((c.x1 - geometry.offset_x) / geometry.scale_x,
                                            (c.y1 - geometry.offset_y) / geometry.scale_y,
                                            (c.x2 - geometry.offset_x) / geometry.scale_x,
                                            (c.y2 - geometry.offset_y) / geometry.scale_y)
                             .clipped(width, height);
        if (!(box.width > 0 && box.height > 0)) continue;
        mapped.push_back({c.class_index, static_cast<double>(c.score), i, box});
    }
    std::sort(mapped.begin(), mapped.end(), [](const Mapped& a, const Mapped& b) {
        return a.score != b.score ? a.score > b.score : a.order < b.order;
    });

    // Greedy NMS in score order: a box survives unless a kept box of its class overlaps it too much.
    const auto max_count = static_cast<std::size_t>(options.max_detections);
    std::unordered_map<int, std::vector<BBox>> kept_by_class;
    std::vector<Detection> detections;
    for (const Mapped& m : mapped) {
        if (detections.size() >= max_count) break;
        auto& kept = kept_by_class[m.class_index];
        const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const BBox& k) {
            return k.iou(m.box) > options.nms_iou_threshold;
        });
        if (suppressed) continue;
        kept.push_back(m.box);
        detections.push_back({classes[static_cast<std::size_t>(m.class_index)].id, m.box, m.score});
    }
    return detections;
}

}  // namespace edgebench::detail
