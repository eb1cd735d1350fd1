#include "edgebench/coco_results.hpp"

#include "edgebench/error.hpp"
#include "internal/file_io.hpp"
#include "internal/json_cursor.hpp"

namespace edgebench {

DetectionsByImage parse_coco_results(std::string_view json_text, const CocoDataset* ground_truth,
                                     const std::string& source) {
    const nlohmann::json document = detail::parse_json(json_text, source);
    const detail::JsonCursor root(document, "", source);
    if (!root.is_array()) root.fail("a COCO results list (an array of {image_id, category_id, bbox, score})");
    DetectionsByImage result;
    for (std::size_t i = 0; i < root.array_size(); ++i) {
        const auto entry = root.at(i);
        entry.expect_object();
        const auto image = entry.at("image_id");
        const Id image_id = image.as_int();
        Detection detection;
        const auto category = entry.at("category_id");
        detection.category_id = category.as_int();
        const auto box = entry.at("bbox");
        if (box.array_size() != 4) box.fail("an array of 4 numbers [x, y, width, height]");
        detection.bbox = {box.at(0).as_number(), box.at(1).as_number(), box.at(2).as_number(), box.at(3).as_number()};
        if (detection.bbox.width < 0 || detection.bbox.height < 0) box.fail("a box of non-negative width and height");
        detection.score = entry.at("score").as_number();
        if (ground_truth) {
            if (!ground_truth->find(image_id)) {
                throw Error("image id " + std::to_string(image_id) + " is not in the ground truth", image.path(), source);
            }
            if (!ground_truth->categories().contains(detection.category_id)) {
                throw Error("category id " + std::to_string(detection.category_id) + " is not in the ground truth",
                            category.path(), source);
            }
        }
        result[image_id].push_back(detection);
    }
    return result;
}

DetectionsByImage load_coco_results(const std::filesystem::path& file, const CocoDataset* ground_truth) {
    return parse_coco_results(detail::read_file_text(file), ground_truth, file.string());
}

std::string coco_results_to_json(const DetectionsByImage& detections, int indent) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [image_id, image_detections] : detections) {
        for (const auto& d : image_detections) {
            list.push_back({{"image_id", image_id},
                            {"category_id", d.category_id},
                            {"bbox", {d.bbox.x, d.bbox.y, d.bbox.width, d.bbox.height}},
                            {"score", d.score}});
        }
    }
    return list.dump(indent);
}

void save_coco_results(const std::filesystem::path& file, const DetectionsByImage& detections) {
    detail::write_file_atomically(file, coco_results_to_json(detections));
}

}  // namespace edgebench
