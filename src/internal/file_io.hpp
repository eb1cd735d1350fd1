#pragma once
// Whole-file reads and atomic whole-file writes with errors that name the path.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace edgebench::detail {

std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& file);
std::string read_file_text(const std::filesystem::path& file);
/// Writes to a temporary file beside `file` and renames it, so that readers never see half a file.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

}  // namespace edgebench::detail
