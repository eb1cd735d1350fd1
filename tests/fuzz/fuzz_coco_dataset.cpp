// COCO instances JSON (CocoDataset::parse), as `edgebench dataset`, `eval` and experiment runs read it
// from disk. A parse either fails with `Error` or gives a dataset whose JSON form (to_json, what
// `save` writes) parses back to the same dataset; the evaluator then scores the dataset's own boxes
// against it without failing and with every summary number in [-1, 1].

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/evaluator.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace edgebench;
    fuzz::expect_errors_only([&] {
        const CocoDataset dataset = CocoDataset::parse(fuzz::text_of(data, size), "/nonexistent/images", "fuzz");
        const std::string saved = dataset.to_json();
        const CocoDataset again = CocoDataset::parse(saved, "/nonexistent/images", "saved");
        fuzz::check(again.size() == dataset.size() && again.annotation_count() == dataset.annotation_count() &&
                        again.categories() == dataset.categories(),
                    "the saved dataset reads back different");
        fuzz::check(again.to_json() == saved, "saving the read-back dataset gives different JSON");

        DetectionsByImage detections;
        for (const auto& sample : dataset) {
            auto& found = detections[sample.id];
            for (const auto& a : sample.annotations) found.push_back({a.category_id, a.bbox, 1.0});
        }
        const EvaluationResult result = evaluate(dataset, detections);
        for (const double stat : result.stats) {
            fuzz::check(stat >= -1.0 && stat <= 1.0, "a COCO summary number outside [-1, 1] (or NaN)");
        }
        (void)result.to_json();
        (void)result.to_text();
        (void)dataset.first(2);
        (void)dataset.random(2, 7);
    });
    return 0;
}
