// `edgebench eval`: score a COCO results file against ground truth.

#include <iostream>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "edgebench/coco_results.hpp"
#include "edgebench/evaluator.hpp"
#include "internal/file_io.hpp"

namespace edgebench::cli {

int run_eval(const Args& args) {
    ArgParser parser("edgebench eval",
                     "Score detections (a COCO results list) against ground truth (COCO instances): pycocotools' 12 "
                     "summary numbers, a per-class table at the operating point, and all numbers as JSON.");
    parser.option("gt", "GT.json", "ground truth, COCO instances JSON")
        .option("dt", "DT.json", "detections, COCO results list [{image_id, category_id, bbox, score}]")
        .option("iou", "T", "IoU threshold of the operating point", "0.5")
        .option("score", "S", "score threshold of the operating point", "0.5")
        .option("threads", "N", "threads for scoring", "1")
        .option("json", "OUT.json", "write every number to this file");
    if (!parser.parse(args)) return 0;
    const auto ground_truth = CocoDataset::load(parser.value("gt"), std::filesystem::path());
    const auto detections = load_coco_results(parser.value("dt"), &ground_truth);
    EvaluatorOptions options;
    options.iou_threshold = parser.number("iou");
    options.score_threshold = parser.number("score");
    options.threads = static_cast<int>(parser.integer("threads"));
    const auto result = evaluate(ground_truth, detections, options);
    std::cout << result.to_text();
    if (const auto out = parser.get("json")) detail::write_file_atomically(*out, result.to_json(2));
    return 0;
}

}  // namespace edgebench::cli
