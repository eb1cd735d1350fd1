// `edgebench preprocess`: what each preprocessing setting does to bytes and time on a dataset.

#include <iostream>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "cli/text_table.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/preprocessor.hpp"

namespace edgebench::cli {

int run_preprocess(const Args& args) {
    ArgParser parser("edgebench preprocess",
                     "Preprocess every image of a dataset with each setting and print mean bytes before/after and "
                     "milliseconds per image (decode, resize, encode).");
    parser.option("dataset", "INSTANCES.json", "the COCO instances file")
        .option("images", "DIR", "image folder (default: images/ beside the JSON, else its folder)")
        .option("limit", "N", "use the first N images only")
        .repeated("config", "SETTINGS",
                  "preprocessing, e.g. 'grayscale=0,resize=75,quality=50' or 'BW,0,quality,50%,resize,75%'");
    if (!parser.parse(args)) return 0;
    auto dataset = CocoDataset::load(parser.value("dataset"),
                                     parser.get("images") ? std::optional<std::filesystem::path>(*parser.get("images"))
                                                          : std::nullopt);
    if (parser.has("limit")) dataset = dataset.first(static_cast<std::size_t>(parser.integer("limit")));
    auto configs = parser.all("config");
    if (configs.empty()) configs.push_back("");
    if (dataset.empty()) throw UsageError("the dataset has no images");

    std::vector<std::vector<std::uint8_t>> images;
    images.reserve(dataset.size());
    for (const auto& sample : dataset) images.push_back(read_image_bytes(sample));

    TextTable table({"settings", "images", "KiB in", "KiB out", "out/in", "size out", "decode ms", "resize ms",
                     "encode ms", "total ms"});
    for (const auto& text : configs) {
        const Preprocessor preprocessor(PreprocessConfig::parse(text));
        PreprocessMetrics sum;
        for (const auto& bytes : images) {
            const auto m = preprocessor.process(bytes, false).metrics;
            sum.bytes_in += m.bytes_in;
            sum.bytes_out += m.bytes_out;
            sum.width_out += m.width_out;
            sum.height_out += m.height_out;
            sum.decode_ms += m.decode_ms;
            sum.resize_ms += m.resize_ms;
            sum.encode_ms += m.encode_ms;
        }
        const double n = static_cast<double>(images.size());
        table.add_row({preprocessor.config().to_string(), std::to_string(images.size()),
                       fixed(sum.bytes_in / n / 1024.0, 1), fixed(sum.bytes_out / n / 1024.0, 1),
                       fixed(static_cast<double>(sum.bytes_out) / static_cast<double>(sum.bytes_in), 3),
                       std::to_string(static_cast<int>(sum.width_out / n)) + "x" +
                           std::to_string(static_cast<int>(sum.height_out / n)),
                       fixed(sum.decode_ms / n, 2), fixed(sum.resize_ms / n, 2), fixed(sum.encode_ms / n, 2),
                       fixed((sum.decode_ms + sum.resize_ms + sum.encode_ms) / n, 2)});
    }
    std::cout << "dataset: " << parser.value("dataset") << " (" << images.size() << " images)\n";
    table.print(std::cout);
    return 0;
}

}  // namespace edgebench::cli
