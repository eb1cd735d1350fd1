#include "test_support.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>

namespace edgebench::test {

TempDir::TempDir() {
    std::random_device device;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = std::filesystem::temp_directory_path() / ("edgebench-test-" + std::to_string(device()));
        if (std::filesystem::create_directory(candidate)) {
            path_ = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path shared_data() {
    std::filesystem::path path = EDGEBENCH_SHARED_DATA;
    std::error_code ec;
    return std::filesystem::is_directory(path, ec) ? path : std::filesystem::path();
}

std::filesystem::path coco_sample_json() {
    const auto data = shared_data();
    if (data.empty()) return {};
    const auto json = data / "coco-sample" / "instances.json";
    return std::filesystem::exists(json) ? json : std::filesystem::path();
}

CommandResult run_command(const std::string& command_line) {
    CommandResult result;
    FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed: " + command_line);
    std::array<char, 4096> buffer{};
    std::size_t read = 0;
    while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), read);
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string cli_path() {
    const char* path = std::getenv("EDGEBENCH_CLI");
    if (path && *path) return path;
    return std::string(EDGEBENCH_BINARY_DIR) + "/src/cli/edgebench";
}

void write_text(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::vector<std::uint8_t> encode_image(const cv::Mat& image, const std::string& extension, std::vector<int> params) {
    std::vector<std::uint8_t> bytes;
    if (!cv::imencode(extension, image, bytes, params)) throw std::runtime_error("imencode failed");
    return bytes;
}

}  // namespace edgebench::test
