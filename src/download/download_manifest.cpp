#include "internal/download_manifest.hpp"

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "edgebench/version.hpp"
#include "internal/file_io.hpp"

namespace edgebench::detail {

using nlohmann::json;

DownloadManifest DownloadManifest::load(const std::filesystem::path& file) {
    DownloadManifest manifest;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return manifest;
    try {
        const json root = json::parse(read_file_text(file));
        manifest.base_url_ = root.value("base_url", std::string());
        for (const auto& [name, item] : root.at("files").items()) {
            ManifestEntry entry;
            entry.url = item.value("url", std::string());
            entry.size = item.at("size").get<std::uint64_t>();
            entry.sha256 = item.value("sha256", std::string());
            entry.verified = item.value("verified", std::vector<std::string>());
            manifest.files_[name] = std::move(entry);
        }
    } catch (const json::exception& error) {
        throw Error(std::string("not a download manifest (delete it to start afresh): ") + error.what(), {},
                    file.string());
    }
    return manifest;
}

void DownloadManifest::save(const std::filesystem::path& file) const {
    json files = json::object();
    for (const auto& [name, entry] : files_) {
        files[name] = {{"url", entry.url}, {"size", entry.size}, {"sha256", entry.sha256}, {"verified", entry.verified}};
    }
    const json root = {{"written_by", std::string("edgebench ") + kVersion}, {"base_url", base_url_}, {"files", files}};
    write_file_atomically(file, root.dump(1) + "\n");
}

const ManifestEntry* DownloadManifest::find(const std::string& name) const {
    const auto it = files_.find(name);
    return it == files_.end() ? nullptr : &it->second;
}

void DownloadManifest::set(const std::string& name, ManifestEntry entry) { files_[name] = std::move(entry); }

}  // namespace edgebench::detail
