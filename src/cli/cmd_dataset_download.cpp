// `edgebench dataset download coco-val2017`: fetch COCO's official annotations and images. The work is
// done by the library (download_coco_val2017); this file maps options and shows progress.

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "cli/download_progress.hpp"
#include "edgebench/coco_download.hpp"
#include "edgebench/error.hpp"
#include "internal/join.hpp"

namespace edgebench::cli {

int run_dataset_download(const Args& args) {
    ArgParser parser("edgebench dataset download",
                     "Download COCO val2017: the official annotations and the images (all, or --limit N of them). "
                     "Resumable: run it again after a failure and it continues; complete files are not fetched "
                     "again. Writes OUT/instances.json and OUT/images/, and keeps OUT/download/ (the extracted "
                     "annotations and manifest.json, the record of what was fetched and verified).");
    parser.positional("DATASET", "coco-val2017 (the only one so far)")
        .option("out", "DIR", "output folder")
        .option("limit", "N", "take N images: the first N, or N at random with --seed")
        .option("seed", "S", "with --limit: choose the images at random, reproducibly for a seed")
        .option("categories", "IDS", "keep images and annotations of these comma-separated category ids")
        .option("base-url", "URL", "where annotations/ and val2017/ are served (default: $EDGEBENCH_COCO_BASE_URL, "
                                   "else " + std::string(kCocoBaseUrl) + ")")
        .option("connections", "N", "parallel image downloads", "4")
        .option("retries", "N", "retries per file after a network failure, each resuming where it stopped", "2")
        .option("annotations-checksum", "ALGO:HEX",
                "digest the annotation archive must have, or 'none' (default: the official SHA-256 and size)")
        .flag("no-etag-check", "do not check files against the server's ETag when it looks like an MD5 (for "
                               "mirrors whose ETags are something else)")
        .flag("keep-archive", "keep download/annotations_trainval2017.zip (241 MiB) after extracting it")
        .flag("quiet", "no progress output");
    if (!parser.parse(args)) return 0;
    if (parser.value("DATASET") != "coco-val2017") {
        throw UsageError("unknown dataset '" + parser.value("DATASET") + "' (expected coco-val2017)");
    }
    CocoDownloadOptions options;
    options.out_dir = parser.value("out");
    if (parser.has("limit")) {
        if (parser.integer("limit") < 0) throw UsageError("--limit must not be negative");
        options.limit = static_cast<std::size_t>(parser.integer("limit"));
    }
    if (parser.has("seed")) {
        if (!parser.has("limit")) throw UsageError("--seed needs --limit");
        options.seed = static_cast<std::uint64_t>(parser.integer("seed"));
    }
    if (parser.has("categories")) options.categories = parser.integers("categories");
    if (parser.has("base-url")) options.base_url = parser.value("base-url");
    options.connections = static_cast<int>(parser.integer("connections"));
    if (parser.integer("retries") < 0) throw UsageError("--retries must not be negative");
    options.transfer.attempts = static_cast<int>(parser.integer("retries")) + 1;
    if (parser.has("annotations-checksum")) {
        const std::string text = parser.value("annotations-checksum");
        options.annotations = ExpectedFile{};
        if (text != "none") options.annotations.checksum = Checksum::parse(text);
    }
    options.keep_archive = parser.has("keep-archive");
    options.transfer.verify_etag_md5 = !parser.has("no-etag-check");

    CocoDownloadSummary summary;
    {
        DownloadProgress display(std::cerr, ::isatty(STDERR_FILENO) == 1);
        CocoProgressCallback on_progress;
        if (!parser.has("quiet")) on_progress = [&display](const CocoDownloadProgress& p) { display.update(p); };
        summary = download_coco_val2017(options, on_progress);
    }
    if (!summary.annotations_verified.empty()) {
        std::cout << "annotations: verified " << detail::join(summary.annotations_verified, ", ") << '\n';
    }
    std::cout << "wrote " << summary.images << " images (" << summary.images_fetched << " downloaded, "
              << summary.images_present << " already present) with " << summary.annotations << " objects to "
              << summary.instances_json.string() << '\n';
    return 0;
}

}  // namespace edgebench::cli
