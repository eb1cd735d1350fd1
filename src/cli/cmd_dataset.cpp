// `edgebench dataset synthetic|subset|download`: make the data an experiment needs.

#include <filesystem>
#include <iostream>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/error.hpp"
#include "edgebench/synthetic_dataset.hpp"

namespace edgebench::cli {
namespace {

int synthetic(const Args& args) {
    ArgParser parser("edgebench dataset synthetic",
                     "Generate the built-in synthetic shapes dataset (JPEG files plus COCO instances.json).");
    parser.option("out", "DIR", "output folder (gets images/ and instances.json)")
        .option("count", "N", "number of images", "100")
        .option("width", "PX", "image width", "320")
        .option("height", "PX", "image height", "240")
        .option("seed", "S", "random seed; the same seed gives the same dataset", "2022")
        .option("min-objects", "N", "fewest objects per image", "1")
        .option("max-objects", "N", "most objects per image", "6")
        .option("first-id", "ID", "id of the first image", "1")
        .option("quality", "Q", "JPEG quality of the written files", "95");
    if (!parser.parse(args)) return 0;
    SyntheticDatasetOptions options;
    if (parser.integer("count") < 0) throw UsageError("--count must not be negative");
    options.image_count = static_cast<std::size_t>(parser.integer("count"));
    options.width = static_cast<int>(parser.integer("width"));
    options.height = static_cast<int>(parser.integer("height"));
    options.seed = static_cast<std::uint64_t>(parser.integer("seed"));
    options.min_objects = static_cast<int>(parser.integer("min-objects"));
    options.max_objects = static_cast<int>(parser.integer("max-objects"));
    options.first_image_id = parser.integer("first-id");
    options.jpeg_quality = static_cast<int>(parser.integer("quality"));
    const std::filesystem::path out = parser.value("out");
    const auto dataset = generate_synthetic_dataset(options, out);
    std::cout << "wrote " << dataset.size() << " images with " << dataset.annotation_count() << " objects to "
              << out.string() << '\n';
    return 0;
}

int subset(const Args& args) {
    ArgParser parser("edgebench dataset subset",
                     "Take a subset of a COCO dataset: the first N images, N random images, or images of some "
                     "categories. Writes OUT/instances.json and OUT/images/ (hard links, or copies).");
    parser.option("dataset", "INSTANCES.json", "the COCO instances file")
        .option("images", "DIR", "image folder (default: images/ beside the JSON, else its folder)")
        .option("out", "DIR", "output folder")
        .option("first", "N", "take the first N images")
        .option("random", "N", "take N images at random (see --seed)")
        .option("seed", "S", "seed for --random", "0")
        .option("categories", "IDS", "keep images and annotations of these comma-separated category ids");
    if (!parser.parse(args)) return 0;
    auto dataset = CocoDataset::load(parser.value("dataset"),
                                     parser.get("images") ? std::optional<std::filesystem::path>(*parser.get("images"))
                                                          : std::nullopt);
    if (parser.has("categories")) dataset = dataset.with_categories(parser.integers("categories"));
    if (parser.has("first") && parser.has("random")) throw UsageError("give --first or --random, not both");
    if (parser.has("first")) dataset = dataset.first(static_cast<std::size_t>(parser.integer("first")));
    if (parser.has("random")) {
        dataset = dataset.random(static_cast<std::size_t>(parser.integer("random")),
                                 static_cast<std::uint64_t>(parser.integer("seed")));
    }
    const std::filesystem::path out = parser.value("out");
    const auto image_dir = out / "images";
    std::filesystem::create_directories(image_dir);
    for (const auto& sample : dataset) {
        const auto target = image_dir / sample.file_name;
        std::filesystem::create_directories(target.parent_path());
        if (std::filesystem::exists(target)) continue;
        if (!std::filesystem::exists(sample.path)) throw Error("image file not found", {}, sample.path.string());
        std::error_code ec;
        std::filesystem::create_hard_link(sample.path, target, ec);
        if (ec) std::filesystem::copy_file(sample.path, target);
    }
    dataset.save(out / "instances.json");
    std::cout << "wrote " << dataset.size() << " images with " << dataset.annotation_count() << " objects to "
              << out.string() << '\n';
    return 0;
}

}  // namespace

int run_dataset(const Args& args) {
    if (args.empty() || args[0] == "--help") {
        std::cout << "usage: edgebench dataset synthetic|subset|download [options]\n"
                     "  synthetic   generate the built-in synthetic shapes dataset\n"
                     "  subset      take part of a COCO dataset\n"
                     "  download    download COCO val2017 (annotations and images), resumably\n";
        return args.empty() ? 2 : 0;
    }
    const Args rest(args.begin() + 1, args.end());
    if (args[0] == "synthetic") return synthetic(rest);
    if (args[0] == "subset") return subset(rest);
    if (args[0] == "download") return run_dataset_download(rest);
    throw UsageError("unknown dataset command '" + args[0] + "' (expected synthetic, subset or download)");
}

}  // namespace edgebench::cli
