// `edgebench models`: the detector backends this build knows, how to name them, and which model files
// are at hand.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "edgebench/detector.hpp"

namespace edgebench::cli {
namespace {

namespace fs = std::filesystem;

// Folders that may hold model files: $EDGEBENCH_MODEL_DIR, ./models, and shared/data/models in the
// current folder or any folder above it (where the project's shared data sits beside a checkout).
std::vector<fs::path> model_folders() {
    std::vector<fs::path> folders;
    std::error_code ec;
    if (const char* env = std::getenv("EDGEBENCH_MODEL_DIR"); env && *env) folders.emplace_back(env);
    const fs::path cwd = fs::current_path(ec);
    if (!ec) {
        folders.push_back(cwd / "models");
        for (fs::path dir = cwd;; dir = dir.parent_path()) {
            folders.push_back(dir / "shared" / "data" / "models");
            if (dir == dir.root_path() || dir.parent_path() == dir) break;
        }
    }
    std::vector<fs::path> existing;
    std::set<fs::path> seen;
    for (const auto& folder : folders) {
        const auto canonical = fs::weakly_canonical(folder, ec);
        if (!ec && fs::is_directory(canonical, ec) && seen.insert(canonical).second) existing.push_back(canonical);
    }
    return existing;
}

// The ONNX family a file name suggests, or empty.
std::string family_from_name(const std::string& name) {
    for (const char* family : {"nanodet", "fastestdet", "yolov8", "yolov5"}) {
        if (name.find(family) != std::string::npos) return family;
    }
    return {};
}

void print_onnx_files(std::ostream& out) {
    std::error_code ec;
    bool any = false;
    for (const auto& folder : model_folders()) {
        std::set<fs::path> files;
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
            if (entry.path().extension() == ".onnx") files.insert(entry.path());
        }
        for (const auto& file : files) {
            const auto family = family_from_name(file.filename().string());
            out << "      " << (family.empty() ? "onnx:FAMILY" : "onnx:" + family) << ":" << file.string() << '\n';
            any = true;
        }
    }
    if (!any) {
        out << "      (no .onnx files found in $EDGEBENCH_MODEL_DIR, ./models or shared/data/models)\n";
    }
    out << "    where to get models:\n"
           "      nanodet     NanoDet-m 320 ONNX from the NanoDet releases (github.com/RangiLyu/nanodet)\n"
           "      fastestdet  FastestDet 352 ONNX from github.com/dog-qiuqiu/FastestDet\n"
           "      yolov8      `yolo export model=yolov8n.pt format=onnx` (Ultralytics); yolov5: its export.py\n";
}

}  // namespace

int run_models(const Args& args) {
    ArgParser parser("edgebench models",
                     "List the detector backends, the spec that names each, and the model files found here "
                     "($EDGEBENCH_MODEL_DIR, ./models, shared/data/models in this folder or above).");
    if (!parser.parse(args)) return 0;
    const auto registry = DetectorRegistry::with_builtin_backends();
    for (const auto& backend : registry.backends()) {
        std::cout << backend.name << '\n' << "    usage: " << backend.usage << '\n'
                  << "    " << backend.description << '\n';
        if (backend.name == "onnx") {
            std::cout << "    model files here:\n";
            print_onnx_files(std::cout);
        }
    }
    return 0;
}

}  // namespace edgebench::cli
