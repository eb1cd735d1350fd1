#include "runner/deployment_common.hpp"

#include <cstdlib>

#include "edgebench/version.hpp"
#include "internal/file_io.hpp"

namespace edgebench::detail {

std::string deployment_image(const DeploymentOptions& options) {
    return options.image.empty() ? std::string("edgebench:") + kVersion : options.image;
}

std::filesystem::path deployment_source_dir(const DeploymentOptions& options) {
    if (!options.source_dir.empty()) return std::filesystem::absolute(options.source_dir);
    if (const char* dir = std::getenv("EDGEBENCH_SOURCE_DIR"); dir && *dir) return std::filesystem::absolute(dir);
#ifdef EDGEBENCH_BUILD_SOURCE_DIR
    const std::filesystem::path built_from(EDGEBENCH_BUILD_SOURCE_DIR);
    std::error_code ec;
    if (std::filesystem::exists(built_from / "scripts" / "install-deps.sh", ec)) return built_from;
#endif
    return {};
}

std::filesystem::path write_run_images(DatasetCache& datasets, const RunConfig& run,
                                       const std::filesystem::path& instances_file) {
    const CocoDataset& dataset = datasets.get(run.dataset);
    const CocoDataset images = select_images(dataset, run);
    std::filesystem::create_directories(instances_file.parent_path());
    images.save(instances_file);
    return std::filesystem::absolute(dataset.image_dir()).lexically_normal();
}

void write_deployment_file(DeploymentFiles& files, const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    write_file_atomically(path, text);
    files.files.push_back(path);
}

}  // namespace edgebench::detail
