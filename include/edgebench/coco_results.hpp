#pragma once
/// \file
/// COCO "results" files: the list of `{image_id, category_id, bbox, score}` that detectors write and
/// evaluators read.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/types.hpp"

namespace edgebench {

/// Detections of many images, keyed by image id. Within an image the order is the file's order, which
/// COCO's evaluation uses to break ties between equal scores.
using DetectionsByImage = std::map<Id, std::vector<Detection>>;

/// Parses a COCO results list. Every entry is checked (fields present and typed, four finite box
/// numbers with non-negative size, a finite score); with `ground_truth`, image and category ids must
/// exist in it. Errors name the entry, e.g. `[17].image_id`.
DetectionsByImage parse_coco_results(std::string_view json_text, const CocoDataset* ground_truth = nullptr,
                                     const std::string& source = "<memory>");
DetectionsByImage load_coco_results(const std::filesystem::path& file, const CocoDataset* ground_truth = nullptr);

/// The COCO results list (image ids ascending, each image's detections in order).
std::string coco_results_to_json(const DetectionsByImage& detections, int indent = -1);
/// Writes the COCO results list atomically.
void save_coco_results(const std::filesystem::path& file, const DetectionsByImage& detections);

}  // namespace edgebench
