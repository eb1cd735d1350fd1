#pragma once
/// \file
/// The built-in dataset: synthetic images of simple shapes, generated deterministically from a seed.
/// It needs nothing from outside the repository, which is what makes `make demo` self-contained.
/// Some shapes stand out strongly, some faintly and some by colour alone, and almost half are small, so
/// that low JPEG quality, grayscale and resizing each cost a detector visible accuracy (dataset version 2).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "edgebench/category_table.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/types.hpp"

namespace edgebench {

struct SyntheticDatasetOptions {
    std::size_t image_count = 100;
    int width = 320;
    int height = 240;
    std::uint64_t seed = 2022;
    /// Objects per image, drawn uniformly from [min_objects, max_objects].
    int min_objects = 1;
    int max_objects = 6;
    /// Quality of the JPEG files written by `generate_synthetic_dataset`.
    int jpeg_quality = 95;
    /// Id of the first image; later images count up from it. Different splits can use disjoint ranges.
    Id first_image_id = 1;

    /// Throws `Error` naming the first invalid option.
    void validate() const;
};

/// One rendered image and its ground truth. Boxes are tight around the drawn pixels and `area` is the
/// number of object pixels, as COCO's segmentation areas are.
struct SyntheticImage {
    cv::Mat image;  ///< 8-bit BGR
    std::vector<Annotation> annotations;
};

/// The classes of the synthetic set: disk, square, triangle, ring and cross (ids 1..5).
const CategoryTable& synthetic_categories();

/// Renders image `index` of the dataset described by `options`. The result depends only on the options'
/// seed, size and object counts and on `index`, so images can be rendered in any order. Annotation ids
/// are `image_id * 100 + k`.
SyntheticImage render_synthetic_image(const SyntheticDatasetOptions& options, std::size_t index);

/// Writes `options.image_count` images as `out_dir/images/NNNNNN.jpg` and their annotations as
/// `out_dir/instances.json`, and returns the dataset as loaded from there.
CocoDataset generate_synthetic_dataset(const SyntheticDatasetOptions& options, const std::filesystem::path& out_dir);

}  // namespace edgebench
