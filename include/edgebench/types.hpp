#pragma once
/// \file
/// The plain data types that flow through edgebench: boxes, ground truth, detections and samples.
/// Coordinates are pixels of the original image, in COCO's `[x, y, width, height]` convention.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace edgebench {

/// COCO image, annotation and category ids are 64-bit integers.
using Id = std::int64_t;

/// An axis-aligned box in COCO's `[x, y, width, height]` form, in pixels.
struct BBox {
    double x = 0;
    double y = 0;
    double width = 0;
    double height = 0;

    double area() const noexcept { return width * height; }
    double right() const noexcept { return x + width; }
    double bottom() const noexcept { return y + height; }

    /// Builds a box from corner coordinates `(x1, y1)`-`(x2, y2)`.
    static BBox from_corners(double x1, double y1, double x2, double y2) noexcept {
        return BBox{x1, y1, x2 - x1, y2 - y1};
    }
    /// Intersection over union; 0 when both boxes are empty.
    double iou(const BBox& other) const noexcept;
    /// The box clipped to `[0, image_width] x [0, image_height]` (never negative size).
    BBox clipped(double image_width, double image_height) const noexcept;

    friend bool operator==(const BBox&, const BBox&) = default;
};

/// A ground-truth object. `area` is COCO's (the segmentation area where the dataset has masks, which is
/// what COCO's small/medium/large ranges use), not necessarily `bbox.area()`.
struct Annotation {
    Id id = 0;
    Id image_id = 0;
    Id category_id = 0;
    BBox bbox;
    double area = 0;
    bool iscrowd = false;
    /// Fields this library does not interpret (for instance `segmentation`), kept as a JSON object's
    /// text so that a saved dataset loses nothing. Empty or `{}` when there are none.
    std::string extra_json;
};

/// One detected object, in original-image pixels.
struct Detection {
    Id category_id = 0;
    BBox bbox;
    double score = 0;

    friend bool operator==(const Detection&, const Detection&) = default;
};

/// An object class.
struct Category {
    Id id = 0;
    std::string name;
    std::string supercategory;

    friend bool operator==(const Category&, const Category&) = default;
};

/// An image of a dataset with its ground truth.
struct ImageSample {
    Id id = 0;
    /// The name as the dataset's JSON gives it (`file_name`).
    std::string file_name;
    /// Where the file is on this machine: the dataset's image folder joined with `file_name`.
    std::filesystem::path path;
    int width = 0;
    int height = 0;
    std::vector<Annotation> annotations;
    /// Fields this library does not interpret (`license`, `coco_url`, ...), as a JSON object's text.
    std::string extra_json;
};

}  // namespace edgebench
