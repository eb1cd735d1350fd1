// COCO results JSON (parse_coco_results), the detections `edgebench eval` scores, read against a small
// fixed ground truth and then evaluated: a parse either fails with `Error` or gives detections whose
// evaluation succeeds with every summary number in [-1, 1], and whose JSON form reads back the same.

#include <cstddef>
#include <cstdint>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/coco_results.hpp"
#include "edgebench/evaluator.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace edgebench;

// Two images, two categories, a crowd region, a tiny and a large box: every area range and the crowd
// rules of the evaluator have something to match against.
constexpr const char* kGroundTruth = R"({
  "images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480},
             {"id": 2, "file_name": "b.jpg", "width": 320, "height": 240}],
  "categories": [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}],
  "annotations": [
    {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 20, 100, 200]},
    {"id": 2, "image_id": 1, "category_id": 3, "bbox": [300, 300, 20, 10]},
    {"id": 3, "image_id": 1, "category_id": 1, "bbox": [0, 0, 640, 480], "iscrowd": 1},
    {"id": 4, "image_id": 2, "category_id": 3, "bbox": [5, 5, 300, 200], "area": 50000}
  ]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Parsed once (a function-local static): the ground truth is the same for every input.
    static const CocoDataset ground_truth = CocoDataset::parse(kGroundTruth, "/nonexistent/images", "ground truth");
    const auto text = fuzz::text_of(data, size);

    fuzz::expect_errors_only([&] { (void)parse_coco_results(text); });

    fuzz::expect_errors_only([&] {
        const DetectionsByImage detections = parse_coco_results(text, &ground_truth, "fuzz");
        const DetectionsByImage again = parse_coco_results(coco_results_to_json(detections), &ground_truth, "saved");
        fuzz::check(again == detections, "saved results read back different");
        for (const int threads : {1, 2}) {
            EvaluatorOptions options;
            options.threads = threads;
            const EvaluationResult result = evaluate(ground_truth, detections, options);
            for (const double stat : result.stats) {
                fuzz::check(stat >= -1.0 && stat <= 1.0, "a COCO summary number outside [-1, 1] (or NaN)");
            }
            (void)result.to_json();
            (void)result.to_text();
        }
    });
    return 0;
}
