#include "edgebench/coco_dataset.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_set>

#include <opencv2/imgcodecs.hpp>

#include "edgebench/error.hpp"
#include "internal/file_io.hpp"
#include "internal/json_cursor.hpp"
#include "internal/random.hpp"

namespace edgebench {
namespace {

using nlohmann::json;
using detail::JsonCursor;

// Everything of `object` except `known` keys, as JSON text; empty when nothing is left.
std::string extra_fields(const json& object, std::initializer_list<std::string_view> known) {
    json extra = json::object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (std::find(known.begin(), known.end(), it.key()) == known.end()) extra[it.key()] = it.value();
    }
    return extra.empty() ? std::string() : extra.dump();
}

void merge_extra(json& object, const std::string& extra_json) {
    if (extra_json.empty()) return;
    const json extra = json::parse(extra_json, nullptr, false);
    if (!extra.is_object()) return;
    for (auto it = extra.begin(); it != extra.end(); ++it) {
        if (!object.contains(it.key())) object[it.key()] = it.value();
    }
}

BBox read_bbox(const JsonCursor& cursor) {
    if (cursor.array_size() != 4) cursor.fail("an array of 4 numbers [x, y, width, height]");
    BBox box{cursor.at(0).as_number(), cursor.at(1).as_number(), cursor.at(2).as_number(),
             cursor.at(3).as_number()};
    if (box.width < 0) throw Error("box width must not be negative, got " + std::to_string(box.width),
                                   cursor.path() + "[2]", cursor.file());
    if (box.height < 0) throw Error("box height must not be negative, got " + std::to_string(box.height),
                                    cursor.path() + "[3]", cursor.file());
    return box;
}

Category read_category(const JsonCursor& cursor) {
    cursor.expect_object();
    Category category;
    category.id = cursor.at("id").as_int();
    category.name = cursor.at("name").as_string();
    if (auto super = cursor.find("supercategory")) category.supercategory = super->as_string();
    return category;
}

ImageSample read_image_record(const JsonCursor& cursor, const std::filesystem::path& image_dir) {
    cursor.expect_object();
    ImageSample sample;
    sample.id = cursor.at("id").as_int();
    sample.file_name = cursor.at("file_name").as_string();
    sample.path = image_dir / sample.file_name;
    const auto width = cursor.at("width");
    const auto height = cursor.at("height");
    sample.width = static_cast<int>(width.as_int());
    sample.height = static_cast<int>(height.as_int());
    if (sample.width <= 0) width.fail("a positive image width");
    if (sample.height <= 0) height.fail("a positive image height");
    sample.extra_json = extra_fields(cursor.raw(), {"id", "file_name", "width", "height"});
    return sample;
}

Annotation read_annotation(const JsonCursor& cursor) {
    cursor.expect_object();
    Annotation annotation;
    annotation.id = cursor.at("id").as_int();
    annotation.image_id = cursor.at("image_id").as_int();
    annotation.category_id = cursor.at("category_id").as_int();
    annotation.bbox = read_bbox(cursor.at("bbox"));
    if (auto area = cursor.find("area")) {
        annotation.area = area->as_number();
        if (annotation.area < 0) area->fail("a non-negative area");
    } else {
        annotation.area = annotation.bbox.area();
    }
    if (auto crowd = cursor.find("iscrowd")) annotation.iscrowd = crowd->as_bool();
    annotation.extra_json = extra_fields(cursor.raw(), {"id", "image_id", "category_id", "bbox", "area", "iscrowd"});
    return annotation;
}

}  // namespace

CocoDataset::CocoDataset(CategoryTable categories, std::vector<ImageSample> samples, std::filesystem::path image_dir)
    : categories_(std::move(categories)), samples_(std::move(samples)), image_dir_(std::move(image_dir)) {
    index_samples();
}

void CocoDataset::index_samples() {
    by_id_.clear();
    by_id_.reserve(samples_.size());
    for (std::size_t i = 0; i < samples_.size(); ++i) {
        if (!by_id_.emplace(samples_[i].id, i).second) {
            throw Error("duplicate image id " + std::to_string(samples_[i].id), "images");
        }
    }
}

CocoDataset CocoDataset::load(const std::filesystem::path& instances_json,
                              const std::optional<std::filesystem::path>& image_dir) {
    std::filesystem::path folder;
    if (image_dir) {
        folder = *image_dir;
    } else {
        const auto parent = instances_json.parent_path();
        std::error_code ec;
        folder = std::filesystem::is_directory(parent / "images", ec) ? parent / "images" : parent;
    }
    return parse(detail::read_file_text(instances_json), folder, instances_json.string());
}

CocoDataset CocoDataset::parse(std::string_view json_text, const std::filesystem::path& image_dir,
                               const std::string& source) {
    const json document = detail::parse_json(json_text, source);
    const JsonCursor root(document, "", source);
    root.expect_object();

    CocoDataset dataset;
    dataset.image_dir_ = image_dir;

    const auto categories = root.at("categories");
    for (std::size_t i = 0; i < categories.array_size(); ++i) {
        const auto entry = categories.at(i);
        Category category = read_category(entry);
        if (dataset.categories_.contains(category.id)) {
            throw Error("duplicate category id " + std::to_string(category.id), entry.path() + ".id", source);
        }
        dataset.categories_.add(std::move(category));
    }

    const auto images = root.at("images");
    dataset.samples_.reserve(images.array_size());
    for (std::size_t i = 0; i < images.array_size(); ++i) {
        const auto entry = images.at(i);
        ImageSample sample = read_image_record(entry, image_dir);
        if (!dataset.by_id_.emplace(sample.id, dataset.samples_.size()).second) {
            throw Error("duplicate image id " + std::to_string(sample.id), entry.path() + ".id", source);
        }
        dataset.samples_.push_back(std::move(sample));
    }

    if (auto annotations = root.find("annotations")) {
        std::unordered_set<Id> annotation_ids;
        annotation_ids.reserve(annotations->array_size());
        for (std::size_t i = 0; i < annotations->array_size(); ++i) {
            const auto entry = annotations->at(i);
            Annotation annotation = read_annotation(entry);
            if (!annotation_ids.insert(annotation.id).second) {
                throw Error("duplicate annotation id " + std::to_string(annotation.id), entry.path() + ".id", source);
            }
            const auto image = dataset.by_id_.find(annotation.image_id);
            if (image == dataset.by_id_.end()) {
                throw Error("unknown image id " + std::to_string(annotation.image_id) + " (not in images)",
                            entry.path() + ".image_id", source);
            }
            if (!dataset.categories_.contains(annotation.category_id)) {
                throw Error("unknown category id " + std::to_string(annotation.category_id) + " (not in categories)",
                            entry.path() + ".category_id", source);
            }
            dataset.samples_[image->second].annotations.push_back(std::move(annotation));
        }
    }

    if (auto info = root.find("info")) dataset.info_json_ = info->raw().dump();
    if (auto licenses = root.find("licenses")) dataset.licenses_json_ = licenses->raw().dump();
    return dataset;
}

std::string CocoDataset::to_json(int indent) const {
    json document = json::object();
    if (!info_json_.empty()) document["info"] = json::parse(info_json_);
    if (!licenses_json_.empty()) document["licenses"] = json::parse(licenses_json_);

    json images = json::array();
    json annotations = json::array();
    for (const auto& sample : samples_) {
        json image = {{"id", sample.id}, {"file_name", sample.file_name}, {"width", sample.width},
                      {"height", sample.height}};
        merge_extra(image, sample.extra_json);
        images.push_back(std::move(image));
        for (const auto& a : sample.annotations) {
            json annotation = {{"id", a.id},
                               {"image_id", a.image_id},
                               {"category_id", a.category_id},
                               {"bbox", {a.bbox.x, a.bbox.y, a.bbox.width, a.bbox.height}},
                               {"area", a.area},
                               {"iscrowd", a.iscrowd ? 1 : 0}};
            merge_extra(annotation, a.extra_json);
            annotations.push_back(std::move(annotation));
        }
    }
    json categories = json::array();
    for (const auto& c : categories_) {
        categories.push_back({{"id", c.id}, {"name", c.name}, {"supercategory", c.supercategory}});
    }
    document["images"] = std::move(images);
    document["annotations"] = std::move(annotations);
    document["categories"] = std::move(categories);
    return document.dump(indent);
}

void CocoDataset::save(const std::filesystem::path& instances_json) const {
    detail::write_file_atomically(instances_json, to_json());
}

const ImageSample* CocoDataset::find(Id image_id) const noexcept {
    const auto found = by_id_.find(image_id);
    return found == by_id_.end() ? nullptr : &samples_[found->second];
}

const ImageSample& CocoDataset::at(Id image_id) const {
    if (const auto* sample = find(image_id)) return *sample;
    throw Error("unknown image id " + std::to_string(image_id), "image_id");
}

std::size_t CocoDataset::annotation_count() const noexcept {
    std::size_t count = 0;
    for (const auto& sample : samples_) count += sample.annotations.size();
    return count;
}

CocoDataset CocoDataset::subset(std::vector<std::size_t> indices) const {
    std::vector<ImageSample> chosen;
    chosen.reserve(indices.size());
    for (const auto index : indices) chosen.push_back(samples_[index]);
    CocoDataset result(categories_, std::move(chosen), image_dir_);
    result.info_json_ = info_json_;
    result.licenses_json_ = licenses_json_;
    return result;
}

CocoDataset CocoDataset::first(std::size_t count) const {
    std::vector<std::size_t> indices(std::min(count, samples_.size()));
    std::iota(indices.begin(), indices.end(), std::size_t{0});
    return subset(std::move(indices));
}

CocoDataset CocoDataset::random(std::size_t count, std::uint64_t seed) const {
    std::vector<std::size_t> indices(samples_.size());
    std::iota(indices.begin(), indices.end(), std::size_t{0});
    count = std::min(count, indices.size());
    // Partial Fisher-Yates: the first `count` positions end up a uniform sample.
    detail::SplitMix64 rng(seed);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t j = i + static_cast<std::size_t>(rng.below(indices.size() - i));
        std::swap(indices[i], indices[j]);
    }
    indices.resize(count);
    std::sort(indices.begin(), indices.end());
    return subset(std::move(indices));
}

CocoDataset CocoDataset::with_categories(const std::vector<Id>& category_ids) const {
    std::unordered_set<Id> wanted;
    for (const auto id : category_ids) {
        if (!categories_.contains(id)) throw Error("unknown category id " + std::to_string(id), "category_ids");
        wanted.insert(id);
    }
    CategoryTable categories;
    for (const auto& category : categories_) {
        if (wanted.count(category.id)) categories.add(category);
    }
    std::vector<ImageSample> chosen;
    for (const auto& sample : samples_) {
        ImageSample copy = sample;
        std::erase_if(copy.annotations, [&](const Annotation& a) { return wanted.count(a.category_id) == 0; });
        if (!copy.annotations.empty()) chosen.push_back(std::move(copy));
    }
    CocoDataset result(std::move(categories), std::move(chosen), image_dir_);
    result.info_json_ = info_json_;
    result.licenses_json_ = licenses_json_;
    return result;
}

std::vector<std::uint8_t> read_image_bytes(const ImageSample& sample) {
    return detail::read_file_bytes(sample.path);
}

cv::Mat read_image(const ImageSample& sample) {
    const auto bytes = read_image_bytes(sample);
    cv::Mat image = cv::imdecode(bytes, cv::IMREAD_COLOR);
    if (image.empty()) throw Error("not a decodable image", {}, sample.path.string());
    return image;
}

}  // namespace edgebench
