#pragma once
// What the compose and Kubernetes writers share: the image name, the build context, each run's images
// written out as the workload's dataset, and the text of the files both print.

#include <filesystem>
#include <string>

#include "edgebench/deployment.hpp"
#include "runner/dataset_cache.hpp"

namespace edgebench::detail {

/// options.image, or "edgebench:<version>".
std::string deployment_image(const DeploymentOptions& options);
/// options.source_dir, $EDGEBENCH_SOURCE_DIR, or the tree this library was built from when it still has
/// scripts/install-deps.sh; empty when none is known.
std::filesystem::path deployment_source_dir(const DeploymentOptions& options);

/// The images a run sends, saved as a COCO file at `instances_file`; returns the folder its file names
/// are relative to (absolute).
std::filesystem::path write_run_images(DatasetCache& datasets, const RunConfig& run,
                                       const std::filesystem::path& instances_file);

/// A file's text, written (creating folders) and added to `files`.
void write_deployment_file(DeploymentFiles& files, const std::filesystem::path& path, const std::string& text);

}  // namespace edgebench::detail
