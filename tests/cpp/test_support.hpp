#pragma once
// Helpers shared by the GoogleTest programs: temporary folders, the shared real data, running programs.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace edgebench::test {

/// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

/// `../shared/data` when it exists beside the checkout, else an empty path.
std::filesystem::path shared_data();
/// The COCO sample's instances.json, or an empty path when `../shared` is absent.
std::filesystem::path coco_sample_json();

struct CommandResult {
    int status = -1;     ///< exit status, or -1 when the program did not exit normally
    std::string output;  ///< stdout and stderr together
};
/// Runs a shell command line and captures its output.
CommandResult run_command(const std::string& command_line);
/// Path of the `edgebench` program under test.
std::string cli_path();

void write_text(const std::filesystem::path& file, const std::string& text);
std::string read_text(const std::filesystem::path& file);
std::vector<std::uint8_t> encode_image(const cv::Mat& image, const std::string& extension, std::vector<int> params = {});

}  // namespace edgebench::test
