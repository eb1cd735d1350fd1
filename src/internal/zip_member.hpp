#pragma once
// Extracts one member of a zip archive (libzip), for the COCO annotation archive.

#include <cstdint>
#include <filesystem>
#include <string>

namespace edgebench::detail {

/// Writes `member` of `archive` to `destination` atomically (a `.tmp` file renamed into place) and
/// returns the number of bytes written. libzip checks the member's CRC-32 as it reads, so a damaged
/// archive is refused rather than extracted. Throws `Error` naming the archive (and member) on failure.
std::uint64_t extract_zip_member(const std::filesystem::path& archive, const std::string& member,
                                 const std::filesystem::path& destination);

}  // namespace edgebench::detail
