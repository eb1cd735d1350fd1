#pragma once
/// \file
/// Reading, subsetting and writing COCO "instances" datasets.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "edgebench/category_table.hpp"
#include "edgebench/types.hpp"

namespace edgebench {

/// A COCO instances dataset: the category table and the images with their ground truth.
///
/// Loading checks every field and throws `Error` naming the file and the JSON path of the first bad one
/// (missing or mistyped fields, duplicate ids, annotations that point at unknown images or categories,
/// boxes of negative size). Image files are not opened at load time: a missing file is reported, with its
/// path, when the sample is read.
class CocoDataset {
public:
    CocoDataset() = default;
    CocoDataset(CategoryTable categories, std::vector<ImageSample> samples,
                std::filesystem::path image_dir = {});

    /// Loads `instances_json`. Images are looked up in `image_dir`; when it is not given, in the folder
    /// `images/` beside the JSON file if there is one, otherwise in the JSON file's own folder.
    static CocoDataset load(const std::filesystem::path& instances_json,
                            const std::optional<std::filesystem::path>& image_dir = std::nullopt);
    /// Parses COCO JSON text; `source` names it in error messages.
    static CocoDataset parse(std::string_view json_text, const std::filesystem::path& image_dir,
                             const std::string& source = "<memory>");

    /// Writes the dataset as COCO JSON (atomically: a reader never sees half a file).
    void save(const std::filesystem::path& instances_json) const;
    std::string to_json(int indent = -1) const;

    std::size_t size() const noexcept { return samples_.size(); }
    bool empty() const noexcept { return samples_.empty(); }
    const std::vector<ImageSample>& samples() const noexcept { return samples_; }
    const ImageSample& operator[](std::size_t index) const { return samples_[index]; }
    auto begin() const noexcept { return samples_.begin(); }
    auto end() const noexcept { return samples_.end(); }

    /// The sample with `image_id`, or nullptr.
    const ImageSample* find(Id image_id) const noexcept;
    /// The sample with `image_id`; throws `Error` when there is none.
    const ImageSample& at(Id image_id) const;

    const CategoryTable& categories() const noexcept { return categories_; }
    const std::filesystem::path& image_dir() const noexcept { return image_dir_; }
    std::size_t annotation_count() const noexcept;

    /// The first `count` images (all of them when there are fewer).
    CocoDataset first(std::size_t count) const;
    /// `count` images drawn without replacement, deterministic for a seed on every platform; the
    /// chosen images keep the dataset's order.
    CocoDataset random(std::size_t count, std::uint64_t seed) const;
    /// Images with at least one annotation of the given categories, keeping only those annotations and
    /// those categories, as one evaluates a detector on a subset of classes.
    CocoDataset with_categories(const std::vector<Id>& category_ids) const;

    /// The `info` and `licenses` sections, kept as JSON text so that a saved dataset keeps them.
    const std::string& info_json() const noexcept { return info_json_; }
    const std::string& licenses_json() const noexcept { return licenses_json_; }
    void set_info_json(std::string text) { info_json_ = std::move(text); }

private:
    CocoDataset subset(std::vector<std::size_t> indices) const;
    void index_samples();

    CategoryTable categories_;
    std::vector<ImageSample> samples_;
    std::unordered_map<Id, std::size_t> by_id_;
    std::filesystem::path image_dir_;
    std::string info_json_;
    std::string licenses_json_;
};

/// The encoded bytes of a sample's image file; throws `Error` with the path when it cannot be read.
std::vector<std::uint8_t> read_image_bytes(const ImageSample& sample);
/// The sample's image decoded to 8-bit BGR; throws `Error` with the path when it is missing or corrupt.
cv::Mat read_image(const ImageSample& sample);

}  // namespace edgebench
