#pragma once
/// \file
/// Downloading COCO val2017 (the official annotations and some or all of its images) into an edgebench
/// dataset folder, resumably.
///
/// The folder gets `instances.json` (the chosen images and their annotations) and `images/`, and keeps
/// its working files in `download/`: the annotation archive while it is incomplete (or always, with
/// `keep_archive`), the extracted `instances_val2017.json` (so that a later run with another `limit`
/// needs no second 241 MB download) and `manifest.json`, the record of every file fetched: URL, size,
/// SHA-256 and what it was verified against.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "edgebench/checksum.hpp"
#include "edgebench/downloader.hpp"
#include "edgebench/types.hpp"

namespace edgebench {

/// The official host, `http://images.cocodataset.org` (the address COCO's download page gives).
inline constexpr const char* kCocoBaseUrl = "http://images.cocodataset.org";

/// `EDGEBENCH_COCO_BASE_URL` when it is set and not empty (a mirror, or a fixture server in tests),
/// otherwise `kCocoBaseUrl`.
std::string default_coco_base_url();

/// What a file must be: its size and a digest, each optional.
struct ExpectedFile {
    std::optional<std::uint64_t> size;
    std::optional<Checksum> checksum;
};

/// `annotations/annotations_trainval2017.zip` as published: 252,907,541 bytes, SHA-256
/// 113a836d...0268 (its MD5, f4bbac64...fa2c, is also the S3 ETag and is checked through it).
ExpectedFile official_coco_annotations_2017();

struct CocoDownloadOptions {
    std::filesystem::path out_dir;
    /// Where `annotations/` and `val2017/` are served; empty: `default_coco_base_url()`. Image URLs are
    /// built from it and the image's `file_name` rather than taken from `coco_url`, so that a mirror
    /// serves the images too.
    std::string base_url;
    /// Keep only images that have annotations of these categories (and only those annotations).
    std::vector<Id> categories;
    /// Take this many images: the first ones, or, with `seed`, a random choice (`CocoDataset::random`).
    std::optional<std::size_t> limit;
    std::optional<std::uint64_t> seed;
    /// Parallel connections for the images.
    int connections = 4;
    /// Keep `download/annotations_trainval2017.zip` after extracting it (241 MB).
    bool keep_archive = false;
    /// What the annotation archive must be; the official size and SHA-256 by default. A mirror that
    /// repackaged the archive needs its own values (or none, then only the server's Content-Length and
    /// ETag and the archive's CRCs vouch for it).
    ExpectedFile annotations = official_coco_annotations_2017();
    /// Timeouts, retries and ETag checking for every file.
    DownloadOptions transfer;
    /// Cancels the download: transfers in progress stop (their partial files stay for a resume) and
    /// `download_coco_val2017` throws `Error`.
    std::stop_token stop;

    /// Throws `Error` naming the first invalid option.
    void validate() const;
};

/// Where a COCO download stands, for a progress display. Reported from worker threads, one call at a
/// time.
struct CocoDownloadProgress {
    enum class Stage { Annotations, Extracting, Images };
    Stage stage = Stage::Annotations;
    /// Annotations: bytes of the archive on disk (an earlier run's part included). Images: bytes fetched.
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_fetched = 0;          ///< over the network in this run, in this stage
    std::optional<std::uint64_t> bytes_total;  ///< the archive's size once known; unknown for images
    std::size_t files_done = 0;     ///< images fetched so far
    std::size_t files_total = 0;    ///< images to fetch in this run
    std::size_t files_present = 0;  ///< images that were already complete and are not fetched again
    bool finished = false;          ///< the last report of the stage
};
using CocoProgressCallback = std::function<void(const CocoDownloadProgress&)>;

struct CocoDownloadSummary {
    std::filesystem::path instances_json;  ///< the dataset written
    std::size_t images = 0;
    std::size_t annotations = 0;
    std::size_t images_fetched = 0;
    std::size_t images_present = 0;
    bool annotations_fetched = false;  ///< the archive was downloaded (or finished) by this run
    std::uint64_t bytes_fetched = 0;
    /// What the annotation archive was checked against in this run; empty when it was not needed.
    std::vector<std::string> annotations_verified;
};

/// Downloads the val2017 annotations (unless extracted before), picks the images, downloads those not
/// yet complete, and writes `out_dir/instances.json`. Files already complete are not fetched again and
/// partial ones are resumed, so after a failure the same call continues where it stopped. The first
/// failure stops the other transfers and is thrown as `Error` naming the URL or file; the manifest
/// records everything completed up to then.
CocoDownloadSummary download_coco_val2017(const CocoDownloadOptions& options, const CocoProgressCallback& progress = {});

}  // namespace edgebench
