#pragma once
// The record of files a dataset download fetched: where each came from, its size and SHA-256 and what it
// was verified against. Later runs use it to check that complete files still have their size, and users
// use it to see what they have.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace edgebench::detail {

struct ManifestEntry {
    std::string url;
    std::uint64_t size = 0;
    std::string sha256;
    std::vector<std::string> verified;
};

class DownloadManifest {
public:
    /// Reads `file`; a missing file gives an empty manifest, a damaged one throws `Error` naming it.
    static DownloadManifest load(const std::filesystem::path& file);
    /// Writes atomically.
    void save(const std::filesystem::path& file) const;

    /// The entry for `name` (a path relative to the dataset folder), or nullptr.
    const ManifestEntry* find(const std::string& name) const;
    void set(const std::string& name, ManifestEntry entry);
    void set_source(std::string base_url) { base_url_ = std::move(base_url); }
    std::size_t size() const noexcept { return files_.size(); }

private:
    std::string base_url_;
    std::map<std::string, ManifestEntry> files_;
};

}  // namespace edgebench::detail
