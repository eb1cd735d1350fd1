#include "runner/dataset_cache.hpp"

#include <optional>

#include "edgebench/synthetic_dataset.hpp"

namespace edgebench::detail {

const CocoDataset& DatasetCache::get(const DatasetSpec& spec) {
    const std::string key = spec.describe();
    if (const auto found = datasets_.find(key); found != datasets_.end()) return found->second;
    CocoDataset dataset;
    if (spec.kind == DatasetSpec::Kind::Coco) {
        dataset = CocoDataset::load(spec.instances, spec.images.empty() ? std::nullopt
                                                                         : std::optional<std::filesystem::path>(spec.images));
    } else {
        const auto& o = spec.synthetic;
        const auto folder = directory_ / ("synthetic-" + std::to_string(o.image_count) + "-seed" + std::to_string(o.seed) +
                                          "-" + std::to_string(o.width) + "x" + std::to_string(o.height) + "-" +
                                          std::to_string(o.min_objects) + "to" + std::to_string(o.max_objects));
        dataset = std::filesystem::exists(folder / "instances.json") ? CocoDataset::load(folder / "instances.json")
                                                                     : generate_synthetic_dataset(o, folder);
    }
    return datasets_.emplace(key, std::move(dataset)).first->second;
}

CocoDataset select_images(const CocoDataset& dataset, const RunConfig& run) {
    const std::size_t count = run.image_count == 0 ? dataset.size() : run.image_count;
    if (run.image_seed) return dataset.random(count, *run.image_seed);
    return dataset.first(count);
}

}  // namespace edgebench::detail
