// Hand-computed expectations for each corner of COCO's box evaluation and for the operating point.

#include <gtest/gtest.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "edgebench/evaluator.hpp"

using namespace edgebench;

namespace {

constexpr double kTolerance = 1e-12;

CategoryTable two_classes() { return CategoryTable({{1, "cat", ""}, {2, "dog", ""}}); }

Annotation gt(Id id, Id category, BBox box, bool crowd = false, double area = -1) {
    return Annotation{id, 0, category, box, area < 0 ? box.area() : area, crowd, {}};
}

Detection dt(Id category, BBox box, double score) { return Detection{category, box, score}; }

// AP over all IoU thresholds when exactly the first `matched_thresholds` thresholds match one GT with one
// detection: precision 1 at every recall threshold for those, 0 for the others.
double ap_for_thresholds(int matched_thresholds) { return matched_thresholds / 10.0; }

}  // namespace

TEST(Evaluator, PerfectDetectionScoresOne) {
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(1, 1, {10, 10, 50, 50})}, {dt(1, {10, 10, 50, 50}, 0.9)});
    const auto r = evaluator.summarize();
    EXPECT_NEAR(r.stats[0], 1.0, kTolerance);
    EXPECT_NEAR(r.stats[1], 1.0, kTolerance);
    EXPECT_NEAR(r.stats[2], 1.0, kTolerance);
    EXPECT_EQ(r.stats[3], -1.0);  // no small objects
    EXPECT_NEAR(r.stats[4], 1.0, kTolerance);  // 2500 px: medium
    EXPECT_EQ(r.stats[5], -1.0);
    for (int i = 6; i <= 8; ++i) EXPECT_NEAR(r.stats[static_cast<std::size_t>(i)], 1.0, kTolerance);
    EXPECT_EQ(r.stats[9], -1.0);
    EXPECT_NEAR(r.stats[10], 1.0, kTolerance);
    EXPECT_EQ(r.stats[11], -1.0);
    ASSERT_EQ(r.per_category.size(), 2u);
    EXPECT_NEAR(r.per_category[0].ap, 1.0, kTolerance);
    EXPECT_EQ(r.per_category[1].ap, -1.0);  // dog: no ground truth, no detections
}

TEST(Evaluator, IouThresholdsAreInclusive) {
    // IoU exactly 0.5: a match at .50 only. IoU exactly 0.75: a match at .50 .. .75.
    {
        Evaluator evaluator(two_classes());
        evaluator.add(1, {gt(1, 1, {0, 0, 10, 10})}, {dt(1, {0, 0, 10, 5}, 0.9)});
        const auto r = evaluator.summarize();
        EXPECT_NEAR(r.stats[0], ap_for_thresholds(1), kTolerance);
        EXPECT_NEAR(r.stats[1], 1.0, kTolerance);
        EXPECT_NEAR(r.stats[2], 0.0, kTolerance);
    }
    {
        Evaluator evaluator(two_classes());
        evaluator.add(1, {gt(1, 1, {0, 0, 100, 100})}, {dt(1, {0, 0, 100, 75}, 0.9)});
        const auto r = evaluator.summarize();
        EXPECT_NEAR(r.stats[0], ap_for_thresholds(6), kTolerance);
        EXPECT_NEAR(r.stats[2], 1.0, kTolerance);
        EXPECT_NEAR(r.stats[8], 0.6, kTolerance);  // recall 1 at 6 of 10 thresholds
    }
}

TEST(Evaluator, ScoreTiesAreBrokenByImageIdThenInputOrder) {
    // Two detections of equal score: image 1's is a false positive, image 2's a true positive. COCO puts
    // image 1 first: precision 0 then 0.5, so AP is 0.5 (1.0 in the other order). The order of add() calls
    // must not matter.
    Evaluator evaluator(two_classes());
    evaluator.add(2, {gt(5, 1, {0, 0, 40, 40})}, {dt(1, {0, 0, 40, 40}, 0.7)});
    evaluator.add(1, {}, {dt(1, {0, 0, 40, 40}, 0.7)});
    EXPECT_NEAR(evaluator.summarize().stats[0], 0.5, kTolerance);

    // Within one image, input order breaks the tie: FP listed first gives 0.5, TP first gives 1.
    Evaluator fp_first(two_classes());
    fp_first.add(1, {gt(1, 1, {0, 0, 40, 40})}, {dt(1, {100, 100, 40, 40}, 0.7), dt(1, {0, 0, 40, 40}, 0.7)});
    EXPECT_NEAR(fp_first.summarize().stats[0], 0.5, kTolerance);
    Evaluator tp_first(two_classes());
    tp_first.add(1, {gt(1, 1, {0, 0, 40, 40})}, {dt(1, {0, 0, 40, 40}, 0.7), dt(1, {100, 100, 40, 40}, 0.7)});
    EXPECT_NEAR(tp_first.summarize().stats[0], 1.0, kTolerance);
}

TEST(Evaluator, InterpolatedPrecisionUses101RecallPoints) {
    // 2 GT; ranked detections TP, FP, TP: precision 1, .5, .667 -> envelope 1, .667, .667; recall .5, .5, 1.
    // Recall thresholds 0..0.5 (51 points) get 1, 0.51..1.0 (50 points) get 2/3.
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(1, 1, {0, 0, 40, 40}), gt(2, 1, {100, 100, 40, 40})},
                  {dt(1, {0, 0, 40, 40}, 0.9), dt(1, {200, 200, 40, 40}, 0.8), dt(1, {100, 100, 40, 40}, 0.7)});
    const double expected = (51 * 1.0 + 50 * (2.0 / (2.0 + 1.0 + 2.220446049250313e-16))) / 101.0;
    const auto r = evaluator.summarize();
    EXPECT_NEAR(r.stats[1], expected, kTolerance);
    EXPECT_NEAR(r.stats[0], expected, kTolerance);
}

TEST(Evaluator, CrowdRegionsAreIgnoredAndUseTheDetectionAreaAsUnion) {
    // A crowd region only: no non-ignored ground truth, so the class is undefined (-1).
    {
        Evaluator evaluator(two_classes());
        evaluator.add(1, {gt(1, 1, {0, 0, 100, 100}, true)}, {dt(1, {10, 10, 20, 20}, 0.9), dt(1, {50, 50, 20, 20}, 0.8)});
        const auto r = evaluator.summarize();
        EXPECT_EQ(r.stats[0], -1.0);
        // Operating point: both detections sit inside the crowd region: neither TP nor FP.
        EXPECT_EQ(r.micro.tp, 0);
        EXPECT_EQ(r.micro.fp, 0);
        EXPECT_EQ(r.per_category[0].support, 0);
    }
    // A real object plus a crowd region: detections inside the crowd do not lower precision, and several
    // may match the same crowd region.
    {
        Evaluator evaluator(two_classes());
        evaluator.add(1, {gt(1, 1, {300, 300, 40, 40}), gt(2, 1, {0, 0, 100, 100}, true)},
                      {dt(1, {10, 10, 20, 20}, 0.95), dt(1, {50, 50, 20, 20}, 0.9), dt(1, {300, 300, 40, 40}, 0.5)});
        const auto r = evaluator.summarize();
        EXPECT_NEAR(r.stats[0], 1.0, kTolerance);
        EXPECT_EQ(r.micro.tp, 1);
        EXPECT_EQ(r.micro.fp, 0);
    }
    // Crowd IoU = intersection / detection area: a detection half outside the crowd region has IoU 0.25
    // with it (100 / 400), so it is a false positive, not ignored.
    {
        Evaluator evaluator(two_classes());
        evaluator.add(1, {gt(1, 1, {300, 300, 40, 40}), gt(2, 1, {10, 10, 100, 100}, true)},
                      {dt(1, {0, 0, 20, 20}, 0.95), dt(1, {300, 300, 40, 40}, 0.5)});
        const auto r = evaluator.summarize();
        // Ranked FP then TP: precision 0, 0.5 -> envelope 0.5 at every recall threshold.
        EXPECT_NEAR(r.stats[0], 0.5, kTolerance);
        EXPECT_NEAR(r.stats[1], 0.5, kTolerance);
        EXPECT_EQ(r.micro.fp, 1);
    }
}

TEST(Evaluator, AreaRangesAreInclusiveAtBothEnds) {
    // Area exactly 32^2 counts as small and as medium.
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(1, 1, {0, 0, 32, 32})}, {dt(1, {0, 0, 32, 32}, 0.9)});
    const auto r = evaluator.summarize();
    EXPECT_NEAR(r.stats[3], 1.0, kTolerance);
    EXPECT_NEAR(r.stats[4], 1.0, kTolerance);
    EXPECT_EQ(r.stats[5], -1.0);
}

TEST(Evaluator, AreaUsesTheAnnotationsAreaNotTheBox) {
    // A large box whose (segmentation) area is small counts as small.
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(1, 1, {0, 0, 200, 200}, false, 500)}, {dt(1, {0, 0, 200, 200}, 0.9)});
    const auto r = evaluator.summarize();
    EXPECT_NEAR(r.stats[3], 1.0, kTolerance);
    EXPECT_EQ(r.stats[5], -1.0);
}

TEST(Evaluator, UnmatchedDetectionsOutsideTheAreaRangeAreIgnored) {
    // A small GT found, plus a large false positive: in the "small" range the FP is ignored (AP 1),
    // in "all" it counts (it outranks the TP: AP 0.5).
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(1, 1, {0, 0, 20, 20})}, {dt(1, {200, 200, 150, 150}, 0.9), dt(1, {0, 0, 20, 20}, 0.8)});
    const auto r = evaluator.summarize();
    EXPECT_NEAR(r.stats[3], 1.0, kTolerance);
    EXPECT_NEAR(r.stats[0], 0.5, kTolerance);
}

TEST(Evaluator, MaxDetectionsLimitRecall) {
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(1, 1, {0, 0, 40, 40}), gt(2, 1, {100, 100, 40, 40})},
                  {dt(1, {0, 0, 40, 40}, 0.9), dt(1, {100, 100, 40, 40}, 0.8)});
    const auto r = evaluator.summarize();
    EXPECT_NEAR(r.stats[6], 0.5, kTolerance);  // AR@1
    EXPECT_NEAR(r.stats[7], 1.0, kTolerance);  // AR@10
    EXPECT_NEAR(r.stats[8], 1.0, kTolerance);  // AR@100
}

TEST(Evaluator, MoreThanOneHundredDetectionsPerImageAndClassAreCut) {
    // 101 false positives outrank the single true positive: with maxDets 100 the TP is cut off.
    Evaluator evaluator(two_classes());
    std::vector<Detection> detections;
    for (int i = 0; i < 100; ++i) detections.push_back(dt(1, {1000.0 + i * 50, 0, 40, 40}, 0.9));
    detections.push_back(dt(1, {0, 0, 40, 40}, 0.1));
    evaluator.add(1, {gt(1, 1, {0, 0, 40, 40})}, detections);
    const auto r = evaluator.summarize();
    EXPECT_NEAR(r.stats[8], 0.0, kTolerance);
    EXPECT_NEAR(r.stats[0], 0.0, kTolerance);
    // The operating point has no such cut (score threshold 0: the TP counts).
    Evaluator all(two_classes(), EvaluatorOptions{0.5, 0.0, 1});
    all.add(1, {gt(1, 1, {0, 0, 40, 40})}, detections);
    EXPECT_EQ(all.summarize().micro.tp, 1);
}

TEST(Evaluator, ImagesWithoutGroundTruthOrDetectionsAndOneSidedClasses) {
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(1, 1, {0, 0, 40, 40})}, {dt(1, {0, 0, 40, 40}, 0.9)});
    evaluator.add(2, {}, {});                                 // empty image: no effect
    evaluator.add(3, {gt(2, 1, {0, 0, 40, 40})}, {});         // missed object: recall 0.5
    evaluator.add(4, {}, {dt(2, {0, 0, 40, 40}, 0.9)});       // a class with detections only: -1, left out
    const auto r = evaluator.summarize();
    EXPECT_EQ(r.image_count, 4u);
    // Precision 1 up to recall 0.5 (51 of 101 recall thresholds), 0 after.
    EXPECT_NEAR(r.per_category[0].ap, 51.0 / 101.0, kTolerance);
    EXPECT_EQ(r.per_category[1].ap, -1.0);
    EXPECT_NEAR(r.stats[0], 51.0 / 101.0, kTolerance);
    EXPECT_NEAR(r.stats[8], 0.5, kTolerance);
    // A class with ground truth and no detections at all scores 0, not -1.
    Evaluator missed(two_classes());
    missed.add(1, {gt(1, 2, {0, 0, 40, 40})}, {});
    EXPECT_NEAR(missed.summarize().per_category[1].ap, 0.0, kTolerance);
}

TEST(Evaluator, EmptyEvaluationIsUndefinedNotACrash) {
    const auto r = Evaluator(two_classes()).summarize();
    for (const double s : r.stats) EXPECT_EQ(s, -1.0);
    EXPECT_FALSE(r.best_f1_threshold.has_value());
    EXPECT_EQ(r.micro.f1, 0.0);
}

TEST(Evaluator, GroundTruthIdZeroBehavesAsInPycocotools) {
    // pycocotools records a match by the ground truth's id and tests it for non-zero: a detection matched
    // to an annotation with id 0 counts as a false positive. Reproduced for identical numbers.
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(0, 1, {0, 0, 40, 40})}, {dt(1, {0, 0, 40, 40}, 0.9)});
    EXPECT_NEAR(evaluator.summarize().stats[0], 0.0, kTolerance);
}

TEST(Evaluator, OperatingPointCountsPerClassAndAverages) {
    // cat: 2 GT, detections TP (0.9), FP (0.8), TP (0.3 < threshold 0.5: not counted) -> tp 1, fp 1, fn 1.
    // dog: 1 GT, one TP (0.6) -> tp 1, fp 0, fn 0.
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(1, 1, {0, 0, 40, 40}), gt(2, 1, {100, 100, 40, 40}), gt(3, 2, {200, 0, 40, 40})},
                  {dt(1, {0, 0, 40, 40}, 0.9), dt(1, {300, 300, 40, 40}, 0.8), dt(1, {100, 100, 40, 40}, 0.3),
                   dt(2, {200, 0, 40, 40}, 0.6)});
    const auto r = evaluator.summarize();
    const auto& cat = r.per_category[0];
    EXPECT_EQ(cat.counts.tp, 1);
    EXPECT_EQ(cat.counts.fp, 1);
    EXPECT_EQ(cat.counts.fn, 1);
    EXPECT_EQ(cat.support, 2);
    EXPECT_NEAR(cat.counts.precision, 0.5, kTolerance);
    EXPECT_NEAR(cat.counts.recall, 0.5, kTolerance);
    EXPECT_NEAR(cat.counts.f1, 0.5, kTolerance);
    const auto& dog = r.per_category[1];
    EXPECT_EQ(dog.counts.tp, 1);
    EXPECT_NEAR(dog.counts.f1, 1.0, kTolerance);
    EXPECT_EQ(r.micro.tp, 2);
    EXPECT_EQ(r.micro.fp, 1);
    EXPECT_EQ(r.micro.fn, 1);
    EXPECT_NEAR(r.micro.precision, 2.0 / 3.0, kTolerance);
    EXPECT_NEAR(r.micro.recall, 2.0 / 3.0, kTolerance);
    EXPECT_NEAR(r.macro.f1, 0.75, kTolerance);
    EXPECT_NEAR(r.weighted.f1, (2 * 0.5 + 1 * 1.0) / 3.0, kTolerance);
    // Best F1: all four detections (score >= 0.3) give tp 3, fp 1, fn 0 -> F1 6/7, better than at 0.5.
    ASSERT_TRUE(r.best_f1_threshold.has_value());
    EXPECT_DOUBLE_EQ(*r.best_f1_threshold, 0.3);
    EXPECT_NEAR(r.best_f1, 6.0 / 7.0, kTolerance);
    // The sweep at 0.50 equals the operating point; at 0.00 it includes everything.
    EXPECT_EQ(r.sweep.thresholds.size(), 101u);
    EXPECT_NEAR(r.sweep.f1[50], r.micro.f1, kTolerance);
    EXPECT_NEAR(r.sweep.recall[0], 1.0, kTolerance);
    EXPECT_NEAR(r.sweep_per_category.at(1).recall[0], 1.0, kTolerance);
}

TEST(Evaluator, OperatingPointIouThreshold) {
    // IoU 0.5 exactly matches at threshold 0.5 but not at 0.6.
    const std::vector<Annotation> truth = {gt(1, 1, {0, 0, 10, 10})};
    const std::vector<Detection> found = {dt(1, {0, 0, 10, 5}, 0.9)};
    EXPECT_EQ(score_image(truth, found, 0.5, 0.5).counts.tp, 1);
    EXPECT_EQ(score_image(truth, found, 0.6, 0.5).counts.tp, 0);
    EXPECT_EQ(score_image(truth, found, 0.6, 0.5).counts.fp, 1);
}

TEST(Evaluator, PerImageMetrics) {
    Evaluator evaluator(two_classes());
    const auto metrics = evaluator.add(
        1, {gt(1, 1, {0, 0, 40, 40}), gt(2, 2, {100, 100, 40, 40})},
        {dt(1, {0, 0, 40, 40}, 0.9), dt(2, {300, 300, 40, 40}, 0.8), dt(2, {100, 100, 40, 40}, 0.1)});
    EXPECT_EQ(metrics.counts.tp, 1);
    EXPECT_EQ(metrics.counts.fp, 1);
    EXPECT_EQ(metrics.counts.fn, 1);
    EXPECT_EQ(metrics.ground_truth, 2);
    EXPECT_EQ(metrics.detections, 2);
    EXPECT_NEAR(metrics.counts.f1, 0.5, kTolerance);
    // Nothing to find, nothing found: perfect. Something found where nothing was: precision 0.
    EXPECT_EQ(evaluator.add(2, {}, {}).counts.f1, 1.0);
    EXPECT_EQ(evaluator.add(3, {}, {dt(1, {0, 0, 5, 5}, 0.9)}).counts.precision, 0.0);
    // score_image agrees with add().
    const auto direct = score_image({gt(1, 1, {0, 0, 40, 40}), gt(2, 2, {100, 100, 40, 40})},
                                    {dt(1, {0, 0, 40, 40}, 0.9), dt(2, {300, 300, 40, 40}, 0.8)});
    EXPECT_EQ(direct.counts.tp, 1);
    EXPECT_EQ(direct.counts.fp, 1);
}

TEST(Evaluator, BadInputNamesTheEntry) {
    Evaluator evaluator(two_classes());
    evaluator.add(1, {}, {});
    try {
        evaluator.add(1, {}, {});
        FAIL();
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "image_id");
    }
    auto field_of = [&](const std::vector<Annotation>& g, const std::vector<Detection>& d) {
        try {
            Evaluator(two_classes()).add(9, g, d);
        } catch (const Error& error) {
            return error.field();
        }
        return std::string("<no error>");
    };
    EXPECT_EQ(field_of({}, {dt(1, {0, 0, 1, 1}, 0.5), dt(7, {0, 0, 1, 1}, 0.5)}), "detections[1].category_id");
    EXPECT_EQ(field_of({}, {dt(1, {0, 0, -1, 1}, 0.5)}), "detections[0].bbox");
    EXPECT_EQ(field_of({}, {dt(1, {0, 0, std::nan(""), 1}, 0.5)}), "detections[0].bbox");
    EXPECT_EQ(field_of({}, {dt(1, {0, 0, 1, 1}, std::nan(""))}), "detections[0].score");
    EXPECT_EQ(field_of({gt(1, 3, {0, 0, 1, 1})}, {}), "ground_truth[0].category_id");
    EXPECT_THROW(Evaluator(two_classes(), EvaluatorOptions{0.0, 0.5, 1}), Error);
    EXPECT_THROW(Evaluator(two_classes(), EvaluatorOptions{0.5, 1.5, 1}), Error);
}

TEST(Evaluator, ConcurrentAddsGiveTheSameResultAsSequentialOnes) {
    auto image = [](int i) {
        std::vector<Annotation> truth = {gt(i * 10 + 1, 1 + i % 2, {i * 3.0, 10, 40, 40}),
                                         gt(i * 10 + 2, 1, {200, i * 2.0, 20.0 + i % 7, 30})};
        std::vector<Detection> found = {dt(1 + i % 2, {i * 3.0 + i % 5, 12, 40, 38}, 0.1 + (i % 9) / 10.0),
                                        dt(1, {200, i * 2.0, 25, 30}, 0.05 * (i % 13)),
                                        dt(2, {50, 50, 10, 10}, 0.5)};
        return std::make_pair(truth, found);
    };
    Evaluator sequential(two_classes());
    for (int i = 0; i < 200; ++i) {
        const auto [truth, found] = image(i);
        sequential.add(i, truth, found);
    }
    Evaluator concurrent(two_classes(), EvaluatorOptions{0.5, 0.5, 4});
    std::vector<std::thread> threads;
    for (int w = 0; w < 4; ++w) {
        threads.emplace_back([&, w] {
            for (int i = w; i < 200; i += 4) {
                const auto [truth, found] = image(i);
                concurrent.add(i, truth, found);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(sequential.summarize().to_json(), concurrent.summarize().to_json());
}

TEST(Evaluator, JsonHasTheDocumentedShape) {
    Evaluator evaluator(two_classes());
    evaluator.add(1, {gt(1, 1, {0, 0, 40, 40})}, {dt(1, {0, 0, 40, 40}, 0.9)});
    const auto document = nlohmann::json::parse(evaluator.summarize().to_json());
    ASSERT_EQ(document["stats"].size(), 12u);
    const auto& cat = document["per_category"]["1"];
    for (const char* key : {"ap", "ap50", "recall", "tp", "fp", "fn", "precision", "f1", "support"}) {
        EXPECT_TRUE(cat.contains(key)) << key;
    }
    for (const char* avg : {"micro", "macro", "weighted"}) {
        EXPECT_TRUE(document["operating_point"][avg].contains("f1")) << avg;
    }
    EXPECT_DOUBLE_EQ(document["best_f1_threshold"].get<double>(), 0.9);
    EXPECT_EQ(document["threshold_sweep"]["thresholds"].size(), 101u);
    const auto text = evaluator.summarize().to_text();
    EXPECT_NE(text.find(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000"),
              std::string::npos)
        << text;
}

TEST(Evaluator, EvaluateChecksImagesAndCategories) {
    const auto dataset = CocoDataset::parse(R"({"images": [{"id": 1, "file_name": "a", "width": 9, "height": 9}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4]}],
        "categories": [{"id": 1, "name": "a"}]})", "/");
    DetectionsByImage detections;
    detections[1] = {dt(1, {0, 0, 4, 4}, 1.0)};
    EXPECT_NEAR(evaluate(dataset, detections).stats[1], 1.0, kTolerance);
    detections[2] = {dt(1, {0, 0, 4, 4}, 1.0)};
    EXPECT_THROW((void)evaluate(dataset, detections), Error);
    detections.erase(2);
    detections[1].push_back(dt(5, {0, 0, 4, 4}, 1.0));
    EXPECT_THROW((void)evaluate(dataset, detections), Error);
}
