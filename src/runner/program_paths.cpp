#include "runner/program_paths.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "edgebench/error.hpp"
#include "runner/system_command.hpp"

namespace edgebench::detail {
namespace {

std::filesystem::path library_directory() {
    Dl_info info{};
    if (::dladdr(reinterpret_cast<const void*>(&find_program), &info) == 0 || !info.dli_fname) return {};
    std::error_code ec;
    return std::filesystem::canonical(info.dli_fname, ec).parent_path();
}

std::filesystem::path executable_directory() {
    std::error_code ec;
    return std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
}

bool is_executable(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::filesystem::path find_program(const std::string& name) {
    std::vector<std::filesystem::path> candidates;
    if (const char* dir = std::getenv("EDGEBENCH_BIN_DIR"); dir && *dir) candidates.emplace_back(dir);
    const auto exe = executable_directory();
    const auto lib = library_directory();
    for (const auto& base : {exe, lib}) {
        if (base.empty()) continue;
        candidates.push_back(base);
        candidates.push_back(base / "bin");           // the Python package keeps them in edgebench/bin
        candidates.push_back(base.parent_path() / "bin");  // prefix/lib -> prefix/bin
        candidates.push_back(base / "apps");          // build tree: build/src -> build/src/apps
        candidates.push_back(base.parent_path() / "apps");  // build/src/cli -> build/src/apps
    }
    for (const auto& dir : path_directories()) candidates.emplace_back(dir);
    for (const auto& dir : candidates) {
        if (!dir.empty() && is_executable(dir / name)) return dir / name;
    }
    throw Error("cannot find the program '" + name +
                    "' next to this program, next to libedgebench, or on PATH; set EDGEBENCH_BIN_DIR",
                name);
}

}  // namespace edgebench::detail
