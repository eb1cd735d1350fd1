#include "edgebench/coco_download.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/error.hpp"
#include "edgebench/image_info.hpp"
#include "internal/download_manifest.hpp"
#include "internal/file_io.hpp"
#include "internal/zip_member.hpp"

namespace edgebench {
namespace {

using Stage = CocoDownloadProgress::Stage;

constexpr const char* kArchivePath = "annotations/annotations_trainval2017.zip";
constexpr const char* kArchiveName = "annotations_trainval2017.zip";
constexpr const char* kInstancesMember = "annotations/instances_val2017.json";
constexpr const char* kInstancesName = "instances_val2017.json";
constexpr const char* kImageFolder = "val2017";

/// Everything the download keeps besides the dataset itself.
struct Layout {
    explicit Layout(const std::filesystem::path& out)
        : root(out), work(out / "download"), images(out / "images"), manifest(work / "manifest.json"),
          archive(work / kArchiveName), instances(work / kInstancesName) {}
    std::filesystem::path root, work, images, manifest, archive, instances;
};

/// Refuses a file that is not the image its annotation record describes: truncated data (which decoders
/// would happily pad with grey) or other dimensions.
std::optional<std::string> check_image(const std::filesystem::path& file, int width, int height) {
    const auto bytes = detail::read_file_bytes(file);
    const ImageInfo info = probe_image(bytes);
    if (info.format == ImageFormat::Unknown) return std::string("is not a JPEG, PNG or WebP image");
    if (!info.complete) return "is an incomplete " + to_string(info.format) + " image";
    if (width > 0 && height > 0 && (info.width != width || info.height != height)) {
        return "is a " + std::to_string(info.width) + "x" + std::to_string(info.height) + " image, the annotations say " +
               std::to_string(width) + "x" + std::to_string(height);
    }
    return std::nullopt;
}

std::uint64_t size_of(const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    return ec ? 0 : size;
}

/// Fetches the archive (unless the extracted JSON is already there) and extracts the val2017 instances.
void ensure_annotations(const CocoDownloadOptions& options, const std::string& base_url, const Layout& layout,
                        detail::DownloadManifest& manifest, const CocoProgressCallback& progress,
                        CocoDownloadSummary& summary) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(layout.instances, ec)) return;  // extracted by an earlier run

    const std::string url = base_url + "/" + kArchivePath;
    DownloadTarget target{url, layout.archive, options.annotations.size, options.annotations.checksum, {}};
    CocoDownloadProgress report;
    report.stage = Stage::Annotations;
    const TransferCallback on_transfer = [&](const TransferProgress& transfer) {
        if (progress) {
            report.bytes_done = transfer.bytes_done;
            report.bytes_fetched = transfer.bytes_fetched;
            report.bytes_total = transfer.bytes_total;
            progress(report);
        }
        return !options.stop.stop_requested();
    };
    Downloader downloader(options.transfer);
    const DownloadResult result = downloader.fetch(target, on_transfer);
    summary.annotations_fetched = !result.already_complete;
    summary.annotations_verified = result.verified;
    summary.bytes_fetched += result.bytes_fetched;
    std::string sha256 = result.sha256;
    if (sha256.empty()) sha256 = file_digest(layout.archive, HashAlgorithm::Sha256);
    manifest.set(std::string("download/") + kArchiveName, {url, result.size, sha256, result.verified});
    manifest.save(layout.manifest);
    if (progress) {
        report.finished = true;
        report.bytes_done = result.size;
        report.bytes_total = result.size;
        progress(report);
    }

    if (progress) progress(CocoDownloadProgress{Stage::Extracting});
    const std::uint64_t size = detail::extract_zip_member(layout.archive, kInstancesMember, layout.instances);
    manifest.set(std::string("download/") + kInstancesName,
                 {url + "#" + kInstancesMember, size, file_digest(layout.instances, HashAlgorithm::Sha256),
                  {"crc32 = zip entry"}});
    manifest.save(layout.manifest);
    if (progress) {
        CocoDownloadProgress done{Stage::Extracting};
        done.finished = true;
        progress(done);
    }
    if (!options.keep_archive) std::filesystem::remove(layout.archive, ec);
}

CocoDataset choose_images(const CocoDownloadOptions& options, const Layout& layout) {
    auto dataset = CocoDataset::parse(detail::read_file_text(layout.instances), layout.images, layout.instances.string());
    if (!options.categories.empty()) dataset = dataset.with_categories(options.categories);
    if (options.limit) dataset = options.seed ? dataset.random(*options.limit, *options.seed) : dataset.first(*options.limit);
    return dataset;
}

/// Downloads `samples` over `connections` parallel transfers. The first failure cancels the others (their
/// partial files stay) and is rethrown once every worker has stopped.
void fetch_images(const CocoDownloadOptions& options, const std::string& base_url,
                  const std::vector<const ImageSample*>& samples, std::size_t present,
                  detail::DownloadManifest& manifest, const Layout& layout, const CocoProgressCallback& progress,
                  CocoDownloadSummary& summary) {
    const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(options.connections), samples.size());
    CocoDownloadProgress report;
    report.stage = Stage::Images;
    report.files_total = samples.size();
    report.files_present = present;
    if (progress) progress(report);

    // Handles are made here, before any thread starts, so that libcurl's one-time global setup runs
    // on this thread alone.
    std::vector<Downloader> downloaders;
    for (std::size_t i = 0; i < workers; ++i) downloaders.emplace_back(options.transfer);

    std::mutex mutex;  // guards report, manifest, summary, first_error and calls of progress
    std::exception_ptr first_error;
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> next{0};

    auto work = [&](Downloader& downloader) {
        for (;;) {
            const std::size_t index = next.fetch_add(1);
            if (index >= samples.size() || stop.load() || options.stop.stop_requested()) return;
            const ImageSample& sample = *samples[index];
            const std::string url = base_url + "/" + kImageFolder + "/" + sample.file_name;
            DownloadTarget target{url, sample.path, std::nullopt, std::nullopt,
                                  [&sample](const std::filesystem::path& file) {
                                      return check_image(file, sample.width, sample.height);
                                  }};
            std::uint64_t reported = 0;  // this file's bytes already counted in report.bytes_fetched
            const TransferCallback on_transfer = [&](const TransferProgress& transfer) {
                const std::lock_guard lock(mutex);
                report.bytes_fetched += transfer.bytes_fetched - reported;
                report.bytes_done = report.bytes_fetched;
                reported = transfer.bytes_fetched;
                if (progress) progress(report);
                return !stop.load() && !options.stop.stop_requested();
            };
            try {
                const DownloadResult result = downloader.fetch(target, on_transfer);
                const std::lock_guard lock(mutex);
                manifest.set("images/" + sample.file_name, {url, result.size, result.sha256, result.verified});
                ++report.files_done;
                ++summary.images_fetched;
                summary.bytes_fetched += result.bytes_fetched;
                if (progress) progress(report);
            } catch (...) {
                const std::lock_guard lock(mutex);
                // Once stopping, the others' "cancelled" errors are consequences, not news.
                if (!stop.exchange(true)) first_error = std::current_exception();
                return;
            }
        }
    };
    {
        std::vector<std::jthread> threads;
        for (auto& downloader : downloaders) threads.emplace_back(work, std::ref(downloader));
    }
    manifest.save(layout.manifest);
    if (first_error) std::rethrow_exception(first_error);
    if (options.stop.stop_requested()) throw Error("the download was cancelled; run it again to resume", "download");
    if (progress) {
        report.finished = true;
        progress(report);
    }
}

}  // namespace

std::string default_coco_base_url() {
    const char* value = std::getenv("EDGEBENCH_COCO_BASE_URL");
    return value && *value ? std::string(value) : std::string(kCocoBaseUrl);
}

ExpectedFile official_coco_annotations_2017() {
    // Published size and digest of the archive; the MD5 f4bbac642086de4f52a3fdda2de5fa2c is the object's S3
    // ETag, so the downloader's ETag check covers it as well.
    return ExpectedFile{252'907'541ULL,
                        Checksum{HashAlgorithm::Sha256, "113a836d90195ee1f884e704da6304dfaaecff1f023f49b6ca93c4aaae470268"}};
}

void CocoDownloadOptions::validate() const {
    if (out_dir.empty()) throw Error("an output folder is needed", "out_dir");
    if (connections < 1 || connections > 32) throw Error("must be between 1 and 32", "connections");
    if (seed && !limit) throw Error("a seed picks a random subset and needs a limit", "seed");
    const std::string url = base_url.empty() ? default_coco_base_url() : base_url;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        throw Error("'" + url + "' is not an http:// or https:// URL", "base_url");
    }
}

CocoDownloadSummary download_coco_val2017(const CocoDownloadOptions& options, const CocoProgressCallback& progress) {
    options.validate();
    std::string base_url = options.base_url.empty() ? default_coco_base_url() : options.base_url;
    while (base_url.size() > 1 && base_url.back() == '/') base_url.pop_back();
    const Layout layout(options.out_dir);
    std::error_code ec;
    for (const auto& folder : {layout.work, layout.images}) {
        std::filesystem::create_directories(folder, ec);
        if (ec) throw Error("cannot create directory: " + ec.message(), {}, folder.string());
    }

    CocoDownloadSummary summary;
    auto manifest = detail::DownloadManifest::load(layout.manifest);
    manifest.set_source(base_url);
    ensure_annotations(options, base_url, layout, manifest, progress, summary);
    const CocoDataset dataset = choose_images(options, layout);

    // A complete image has its final name (the downloader gives it only after the checks). Its size in
    // the manifest catches a file that was replaced since; an image completed by a run that was killed
    // before it saved the manifest is recorded now.
    std::vector<const ImageSample*> missing;
    bool recorded = false;
    for (const auto& sample : dataset) {
        if (!std::filesystem::is_regular_file(sample.path, ec)) {
            missing.push_back(&sample);
            continue;
        }
        const std::string name = "images/" + sample.file_name;
        const auto* entry = manifest.find(name);
        const std::uint64_t size = size_of(sample.path);
        if (entry && entry->size != size) {
            throw Error("has " + std::to_string(size) + " bytes but was downloaded with " + std::to_string(entry->size) +
                            "; delete it to download it again",
                        {}, sample.path.string());
        }
        if (!entry) {
            if (const auto why = check_image(sample.path, sample.width, sample.height)) {
                throw Error(*why + "; delete it to download it again", {}, sample.path.string());
            }
            manifest.set(name, {base_url + "/" + kImageFolder + "/" + sample.file_name, size,
                                file_digest(sample.path, HashAlgorithm::Sha256), {"content"}});
            recorded = true;
        }
    }
    if (recorded) manifest.save(layout.manifest);
    summary.images_present = dataset.size() - missing.size();
    fetch_images(options, base_url, missing, summary.images_present, manifest, layout, progress, summary);

    // Written last: an instances.json means every image it lists is there.
    summary.instances_json = layout.root / "instances.json";
    dataset.save(summary.instances_json);
    summary.images = dataset.size();
    summary.annotations = dataset.annotation_count();
    return summary;
}

}  // namespace edgebench
