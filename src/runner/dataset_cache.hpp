#pragma once
// The datasets of a sweep, loaded (or, for synthetic ones, generated into the output folder) once and
// shared by every run that uses them. The deployment file writers use it too: a compose file or a
// manifest mounts the generated folder.

#include <filesystem>
#include <map>
#include <string>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/experiment.hpp"

namespace edgebench::detail {

class DatasetCache {
public:
    /// Synthetic datasets are generated under `directory` (e.g. <out>/datasets).
    explicit DatasetCache(std::filesystem::path directory) : directory_(std::move(directory)) {}

    const CocoDataset& get(const DatasetSpec& spec);

private:
    std::filesystem::path directory_;
    std::map<std::string, CocoDataset> datasets_;
};

/// The images of `dataset` a run uses: its first image_count, or a seeded random subset.
CocoDataset select_images(const CocoDataset& dataset, const RunConfig& run);

}  // namespace edgebench::detail
