// `edgebench detect`: run a detector over a dataset's images and write a COCO results list.

#include <iostream>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "cli/text_table.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/coco_results.hpp"
#include "edgebench/detect_dataset.hpp"
#include "edgebench/detector.hpp"

namespace edgebench::cli {

int run_detect(const Args& args) {
    const DetectorOptions defaults;
    ArgParser parser("edgebench detect",
                     "Run a detector on every image of a COCO dataset and write its detections as a COCO results "
                     "list (image ids from the dataset). Prints the mean milliseconds per image by stage.");
    parser.option("model", "SPEC", "detector spec, e.g. onnx:nanodet:PATH or opencv:hog (see edgebench models)")
        .option("dataset", "INSTANCES.json", "the COCO instances file")
        .option("images", "DIR", "image folder (default: images/ beside the JSON, else its folder)")
        .option("limit", "N", "use the first N images only")
        .option("out", "DETS.json", "where to write the COCO results list")
        .option("score", "T", "score threshold", fixed(defaults.score_threshold, 2))
        .option("nms-iou", "T", "IoU above which per-class NMS suppresses a box", fixed(defaults.nms_iou_threshold, 2))
        .option("max-detections", "N", "most detections per image", std::to_string(defaults.max_detections))
        .option("threads", "N", "detector threads (OpenCV: process-wide; 0: library default)", "0")
        .option("device", "DEV", "cpu, cuda or cuda:N", defaults.device)
        .option("workers", "N", "images in parallel, one detector clone each", "1");
    if (!parser.parse(args)) return 0;

    auto dataset = CocoDataset::load(parser.value("dataset"),
                                     parser.get("images") ? std::optional<std::filesystem::path>(*parser.get("images"))
                                                          : std::nullopt);
    if (parser.has("limit")) {
        if (parser.integer("limit") < 0) throw UsageError("--limit must not be negative");
        dataset = dataset.first(static_cast<std::size_t>(parser.integer("limit")));
    }
    if (parser.integer("workers") < 1) throw UsageError("--workers must be at least 1");
    const std::filesystem::path out = parser.value("out");

    DetectorOptions options;
    options.score_threshold = parser.number("score");
    options.nms_iou_threshold = parser.number("nms-iou");
    options.max_detections = static_cast<int>(parser.integer("max-detections"));
    options.threads = static_cast<int>(parser.integer("threads"));
    options.device = parser.value("device");
    auto detector = make_detector(parser.value("model"), options);
    const auto info = detector->info();
    std::cout << "model: " << info.spec << " (" << info.backend << (info.family.empty() ? "" : " " + info.family);
    if (info.input_width > 0) std::cout << ", input " << info.input_width << "x" << info.input_height;
    std::cout << ", " << info.device << ")\n";

    DetectDatasetOptions run_options;
    run_options.workers = static_cast<std::size_t>(parser.integer("workers"));
    const auto run = detect_dataset(*detector, dataset, run_options);
    save_coco_results(out, run.detections);

    const auto mean = run.mean();
    std::cout << "images: " << run.images << ", detections: " << run.detection_count() << ", wall "
              << fixed(run.wall_ms / 1000.0, 2) << " s\n";
    TextTable table({"mean ms per image", "prepare", "forward", "post", "total"});
    table.add_row({"detector", fixed(mean.prepare_ms, 2), fixed(mean.forward_ms, 2), fixed(mean.postprocess_ms, 2),
                   fixed(mean.total_ms(), 2)});
    table.print(std::cout);
    std::cout << "wrote " << out.string() << '\n';
    return 0;
}

}  // namespace edgebench::cli
