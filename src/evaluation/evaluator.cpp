#include "edgebench/evaluator.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>
#include <thread>
#include <unordered_set>

#include "edgebench/error.hpp"
#include "evaluation/coco_matching.hpp"

namespace edgebench {
namespace {

using detail::kAreaRangeCount;
using detail::kIouThresholdCount;
using detail::kMaxDetectionsCount;
using detail::kRecallThresholdCount;
using detail::MatchStatus;

// One detection as COCO's accumulate() sees it.
struct CocoEntry {
    double score;
    Id image_id;
    std::uint16_t rank;  // position among its image's detections of this class, in COCO's order
    std::array<std::uint16_t, kAreaRangeCount> matched;
    std::array<std::uint16_t, kAreaRangeCount> ignored;
};

// One detection at the operating point's IoU threshold.
struct OperatingEntry {
    double score;
    MatchStatus status;
};

struct CategoryAccumulator {
    std::vector<CocoEntry> coco;
    std::array<std::int64_t, kAreaRangeCount> non_ignored_ground_truth{};
    bool evaluated = false;  // some image had ground truth or detections of this class
    std::vector<OperatingEntry> operating;
    std::int64_t support = 0;
};

// What add() computes for one class of one image before taking the lock.
struct ImageCategoryWork {
    std::size_t category_index = 0;
    detail::CocoImageEvaluation coco;
    std::vector<OperatingEntry> operating;
    std::int64_t support = 0;
};

bool finite_box(const BBox& b) {
    return std::isfinite(b.x) && std::isfinite(b.y) && std::isfinite(b.width) && std::isfinite(b.height);
}

std::string entry(const char* list, std::size_t index, const char* field) {
    return std::string(list) + "[" + std::to_string(index) + "]." + field;
}

double ratio(std::int64_t numerator, std::int64_t denominator) {
    return denominator > 0 ? static_cast<double>(numerator) / static_cast<double>(denominator) : 0.0;
}

// Per-image scores; an image with nothing to find and nothing found is a perfect answer.
ImageMetrics image_metrics(std::int64_t tp, std::int64_t fp, std::int64_t support, std::int64_t detections) {
    ImageMetrics metrics;
    metrics.ground_truth = support;
    metrics.detections = detections;
    metrics.counts = DetectionCounts::from_counts(tp, fp, support - tp);
    if (tp == 0 && fp == 0 && support == 0) metrics.counts.precision = metrics.counts.recall = metrics.counts.f1 = 1.0;
    return metrics;
}

bool by_descending_score(const OperatingEntry& a, const OperatingEntry& b) { return a.score > b.score; }

// `entries` sorted by descending score.
ThresholdSweep sweep_over_grid(const std::vector<OperatingEntry>& entries, std::int64_t support) {
    ThresholdSweep sweep;
    constexpr int kSteps = 100;
    std::size_t position = 0;
    std::int64_t tp = 0;
    std::int64_t fp = 0;
    // Walk thresholds from high to low so the cumulative counts only grow; reverse at the end.
    for (int step = kSteps; step >= 0; --step) {
        const double threshold = step / static_cast<double>(kSteps);
        while (position < entries.size() && entries[position].score >= threshold) {
            if (entries[position].status == MatchStatus::TruePositive) ++tp;
            if (entries[position].status == MatchStatus::FalsePositive) ++fp;
            ++position;
        }
        const auto counts = DetectionCounts::from_counts(tp, fp, support - tp);
        sweep.thresholds.push_back(threshold);
        sweep.precision.push_back(counts.precision);
        sweep.recall.push_back(counts.recall);
        sweep.f1.push_back(counts.f1);
    }
    std::reverse(sweep.thresholds.begin(), sweep.thresholds.end());
    std::reverse(sweep.precision.begin(), sweep.precision.end());
    std::reverse(sweep.recall.begin(), sweep.recall.end());
    std::reverse(sweep.f1.begin(), sweep.f1.end());
    return sweep;
}

// Runs `work(i)` for i in [0, count) on up to `threads` threads.
template <typename Work>
void parallel_for(std::size_t count, int threads, const Work& work) {
    const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), count);
    if (workers <= 1) {
        for (std::size_t i = 0; i < count; ++i) work(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> pool;
    std::exception_ptr failure;
    std::mutex failure_mutex;
    for (std::size_t w = 0; w < workers; ++w) {
        pool.emplace_back([&] {
            try {
                for (std::size_t i = next++; i < count; i = next++) work(i);
            } catch (...) {
                std::lock_guard lock(failure_mutex);
                if (!failure) failure = std::current_exception();
            }
        });
    }
    for (auto& thread : pool) thread.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace

void EvaluatorOptions::validate() const {
    if (!(iou_threshold > 0.0 && iou_threshold <= 1.0)) {
        throw Error("must be in (0, 1], got " + std::to_string(iou_threshold), "iou_threshold");
    }
    if (!(score_threshold >= 0.0 && score_threshold <= 1.0)) {
        throw Error("must be in [0, 1], got " + std::to_string(score_threshold), "score_threshold");
    }
    if (threads < 1) throw Error("must be at least 1", "threads");
}

DetectionCounts DetectionCounts::from_counts(std::int64_t tp, std::int64_t fp, std::int64_t fn) noexcept {
    DetectionCounts counts;
    counts.tp = tp;
    counts.fp = fp;
    counts.fn = fn;
    counts.precision = ratio(tp, tp + fp);
    counts.recall = ratio(tp, tp + fn);
    const double sum = counts.precision + counts.recall;
    counts.f1 = sum > 0 ? 2 * counts.precision * counts.recall / sum : 0.0;
    return counts;
}

struct Evaluator::State {
    CategoryTable categories;
    EvaluatorOptions options;
    std::vector<std::size_t> by_id;  // table positions in ascending category id, COCO's order
    mutable std::mutex mutex;
    std::unordered_set<Id> images;
    std::vector<CategoryAccumulator> per_category;
    std::size_t ground_truth_count = 0;
    std::size_t detection_count = 0;
};

Evaluator::Evaluator(CategoryTable categories, EvaluatorOptions options) : state_(std::make_unique<State>()) {
    options.validate();
    state_->categories = std::move(categories);
    state_->options = options;
    state_->per_category.resize(state_->categories.size());
    state_->by_id.resize(state_->categories.size());
    std::iota(state_->by_id.begin(), state_->by_id.end(), std::size_t{0});
    std::sort(state_->by_id.begin(), state_->by_id.end(), [&](std::size_t a, std::size_t b) {
        return state_->categories[a].id < state_->categories[b].id;
    });
}

Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

const CategoryTable& Evaluator::categories() const noexcept { return state_->categories; }
const EvaluatorOptions& Evaluator::options() const noexcept { return state_->options; }

std::size_t Evaluator::image_count() const {
    std::lock_guard lock(state_->mutex);
    return state_->images.size();
}

ImageMetrics Evaluator::add(Id image_id, const std::vector<Annotation>& ground_truth,
                            const std::vector<Detection>& detections) {
    const CategoryTable& table = state_->categories;
    // Group by class, keeping input order (it breaks score ties, as in COCO).
    std::map<std::size_t, std::pair<std::vector<detail::GroundTruthObject>, std::vector<detail::ScoredBox>>> groups;
    for (std::size_t i = 0; i < ground_truth.size(); ++i) {
        const auto& a = ground_truth[i];
        if (!table.contains(a.category_id)) {
            throw Error("unknown category id " + std::to_string(a.category_id), entry("ground_truth", i, "category_id"));
        }
        if (!finite_box(a.bbox) || a.bbox.width < 0 || a.bbox.height < 0) {
            throw Error("expected a finite box of non-negative size", entry("ground_truth", i, "bbox"));
        }
        if (!std::isfinite(a.area) || a.area < 0) throw Error("expected a finite, non-negative area", entry("ground_truth", i, "area"));
        groups[table.index_of(a.category_id)].first.push_back({a.bbox, a.area, a.iscrowd, a.id == 0});
    }
    for (std::size_t i = 0; i < detections.size(); ++i) {
        const auto& d = detections[i];
        if (!table.contains(d.category_id)) {
            throw Error("unknown category id " + std::to_string(d.category_id), entry("detections", i, "category_id"));
        }
        if (!finite_box(d.bbox) || d.bbox.width < 0 || d.bbox.height < 0) {
            throw Error("expected a finite box of non-negative size", entry("detections", i, "bbox"));
        }
        if (!std::isfinite(d.score)) throw Error("expected a finite score", entry("detections", i, "score"));
        groups[table.index_of(d.category_id)].second.push_back({d.bbox, d.score});
    }

    const double score_threshold = state_->options.score_threshold;
    std::vector<ImageCategoryWork> work;
    work.reserve(groups.size());
    std::int64_t tp = 0;
    std::int64_t fp = 0;
    std::int64_t support = 0;
    std::int64_t counted_detections = 0;
    for (const auto& [index, group] : groups) {
        const auto& [gt, dt] = group;
        const auto sorted = detail::sort_and_measure(dt, gt);
        ImageCategoryWork item;
        item.category_index = index;
        item.coco = detail::evaluate_coco(sorted, gt);
        const auto status = detail::match_at_threshold(sorted, gt, state_->options.iou_threshold);
        item.operating.reserve(status.size());
        for (std::size_t d = 0; d < status.size(); ++d) {
            const double score = sorted.boxes[d].score;
            item.operating.push_back({score, status[d]});
            if (score < score_threshold) continue;
            ++counted_detections;
            if (status[d] == MatchStatus::TruePositive) ++tp;
            if (status[d] == MatchStatus::FalsePositive) ++fp;
        }
        item.support = std::count_if(gt.begin(), gt.end(), [](const auto& g) { return !g.crowd; });
        support += item.support;
        work.push_back(std::move(item));
    }

    {
        std::lock_guard lock(state_->mutex);
        if (!state_->images.insert(image_id).second) {
            throw Error("image " + std::to_string(image_id) + " was already added", "image_id");
        }
        for (auto& item : work) {
            auto& accumulator = state_->per_category[item.category_index];
            accumulator.evaluated = true;
            for (std::size_t d = 0; d < item.coco.scores.size(); ++d) {
                accumulator.coco.push_back({item.coco.scores[d], image_id, static_cast<std::uint16_t>(d),
                                            item.coco.matched[d], item.coco.ignored[d]});
            }
            for (int a = 0; a < kAreaRangeCount; ++a) {
                accumulator.non_ignored_ground_truth[static_cast<std::size_t>(a)] +=
                    item.coco.non_ignored_ground_truth[static_cast<std::size_t>(a)];
            }
            accumulator.operating.insert(accumulator.operating.end(), item.operating.begin(), item.operating.end());
            accumulator.support += item.support;
        }
        state_->ground_truth_count += ground_truth.size();
        state_->detection_count += detections.size();
    }

    return image_metrics(tp, fp, support, counted_detections);
}

EvaluationResult Evaluator::summarize() const {
    std::lock_guard lock(state_->mutex);
    const State& s = *state_;
    const std::size_t K = s.categories.size();
    constexpr std::size_t T = kIouThresholdCount;
    constexpr std::size_t R = kRecallThresholdCount;
    constexpr std::size_t A = kAreaRangeCount;
    constexpr std::size_t M = kMaxDetectionsCount;
    // pycocotools' precision[T][R][K][A][M] and recall[T][K][A][M]; -1 where undefined.
    std::vector<double> precision(T * R * K * A * M, -1.0);
    std::vector<double> recall(T * K * A * M, -1.0);
    auto p_at = [&](std::size_t t, std::size_t r, std::size_t k, std::size_t a, std::size_t m) -> double& {
        return precision[(((t * R + r) * K + k) * A + a) * M + m];
    };
    auto r_at = [&](std::size_t t, std::size_t k, std::size_t a, std::size_t m) -> double& {
        return recall[((t * K + k) * A + a) * M + m];
    };
    const auto& recall_thresholds = detail::coco_recall_thresholds();
    constexpr double kEpsilon = 2.220446049250313e-16;  // numpy.spacing(1)

    parallel_for(K, s.options.threads, [&](std::size_t k) {
        const CategoryAccumulator& accumulator = s.per_category[s.by_id[k]];
        if (!accumulator.evaluated) return;
        // COCO concatenates images in ascending id, each in its own order, then sorts stably by score.
        std::vector<const CocoEntry*> order(accumulator.coco.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = &accumulator.coco[i];
        std::sort(order.begin(), order.end(), [](const CocoEntry* a, const CocoEntry* b) {
            if (a->score != b->score) return a->score > b->score;
            if (a->image_id != b->image_id) return a->image_id < b->image_id;
            return a->rank < b->rank;
        });
        // Precision only rises at true positives, so its envelope (the maximum over everything ranked lower)
        // is the maximum over the true positives ranked lower, and the first position reaching a recall is
        // a true positive. Recording (tp, fp) at each true positive therefore gives pycocotools' numbers
        // with one pass per area range and detection limit instead of one per IoU threshold.
        struct TruePositive {
            double tp;
            double fp;
        };
        std::array<std::vector<TruePositive>, T> events;
        for (std::size_t m = 0; m < M; ++m) {
            const int max_detections = detail::kMaxDetections[m];
            for (std::size_t a = 0; a < A; ++a) {
                const auto npig = accumulator.non_ignored_ground_truth[a];
                if (npig == 0) continue;
                std::array<double, T> tp{};
                std::array<double, T> fp{};
                for (auto& list : events) list.clear();
                std::size_t nd = 0;
                for (const CocoEntry* e : order) {
                    if (e->rank >= max_detections) continue;
                    ++nd;
                    const unsigned counted = ~static_cast<unsigned>(e->ignored[a]);
                    const unsigned hits = e->matched[a] & counted;
                    const unsigned misses = ~static_cast<unsigned>(e->matched[a]) & counted;
                    for (std::size_t t = 0; t < T; ++t) {
                        if ((hits >> t) & 1u) {
                            tp[t] += 1;
                            events[t].push_back({tp[t], fp[t]});
                        } else if ((misses >> t) & 1u) {
                            fp[t] += 1;
                        }
                    }
                }
                for (std::size_t t = 0; t < T; ++t) {
                    r_at(t, k, a, m) = nd ? tp[t] / static_cast<double>(npig) : 0.0;
                    const auto& list = events[t];
                    std::vector<double> envelope(list.size());
                    double best = 0;
                    for (std::size_t i = list.size(); i-- > 0;) {
                        best = std::max(best, list[i].tp / (list[i].fp + list[i].tp + kEpsilon));
                        envelope[i] = best;
                    }
                    std::size_t position = 0;
                    for (std::size_t r = 0; r < R; ++r) {
                        const double wanted = recall_thresholds[r];
                        if (wanted <= 0.0) {
                            // The first position of all: its envelope is the maximum over every true positive.
                            p_at(t, r, k, a, m) = envelope.empty() ? 0.0 : envelope[0];
                            continue;
                        }
                        while (position < list.size() && list[position].tp / static_cast<double>(npig) < wanted) {
                            ++position;
                        }
                        p_at(t, r, k, a, m) = position < list.size() ? envelope[position] : 0.0;
                    }
                }
            }
        }
    });

    EvaluationResult result;
    result.iou_threshold = s.options.iou_threshold;
    result.score_threshold = s.options.score_threshold;
    result.image_count = s.images.size();
    result.ground_truth_count = s.ground_truth_count;
    result.detection_count = s.detection_count;

    // pycocotools' summarize(): the mean of the defined (> -1) entries of a slice, or -1.
    const auto& iou_thresholds = detail::coco_iou_thresholds();
    auto threshold_index = [&](double iou) -> std::optional<std::size_t> {
        for (std::size_t t = 0; t < T; ++t) {
            if (iou_thresholds[t] == iou) return t;
        }
        return std::nullopt;
    };
    // Means over [t_begin, t_end) x all recall points x [k_begin, k_end) at area a and limit m.
    auto mean_precision = [&](std::size_t t_begin, std::size_t t_end, std::size_t k_begin, std::size_t k_end,
                              std::size_t a, std::size_t m) {
        double sum = 0;
        std::size_t count = 0;
        for (std::size_t t = t_begin; t < t_end; ++t) {
            for (std::size_t r = 0; r < R; ++r) {
                for (std::size_t k = k_begin; k < k_end; ++k) {
                    const double v = p_at(t, r, k, a, m);
                    if (v > -1) {
                        sum += v;
                        ++count;
                    }
                }
            }
        }
        return count ? sum / static_cast<double>(count) : -1.0;
    };
    auto mean_recall = [&](std::size_t k_begin, std::size_t k_end, std::size_t a, std::size_t m) {
        double sum = 0;
        std::size_t count = 0;
        for (std::size_t t = 0; t < T; ++t) {
            for (std::size_t k = k_begin; k < k_end; ++k) {
                const double v = r_at(t, k, a, m);
                if (v > -1) {
                    sum += v;
                    ++count;
                }
            }
        }
        return count ? sum / static_cast<double>(count) : -1.0;
    };
    const auto t50 = threshold_index(0.5);
    const auto t75 = threshold_index(0.75);
    // An IoU threshold missing from the list selects nothing, as numpy's where() would.
    auto mean_at = [&](std::optional<std::size_t> t, std::size_t k_begin, std::size_t k_end) {
        return t ? mean_precision(*t, *t + 1, k_begin, k_end, 0, 2) : -1.0;
    };
    result.stats = {mean_precision(0, T, 0, K, 0, 2), mean_at(t50, 0, K),          mean_at(t75, 0, K),
                    mean_precision(0, T, 0, K, 1, 2), mean_precision(0, T, 0, K, 2, 2), mean_precision(0, T, 0, K, 3, 2),
                    mean_recall(0, K, 0, 0),          mean_recall(0, K, 0, 1),     mean_recall(0, K, 0, 2),
                    mean_recall(0, K, 1, 2),          mean_recall(0, K, 2, 2),     mean_recall(0, K, 3, 2)};

    // Per class: COCO numbers and the operating point.
    const double score_threshold = s.options.score_threshold;
    std::int64_t total_tp = 0, total_fp = 0, total_fn = 0, total_support = 0;
    double macro_p = 0, macro_r = 0, macro_f = 0, weighted_p = 0, weighted_r = 0, weighted_f = 0;
    std::size_t present = 0;
    std::vector<OperatingEntry> all_entries;
    for (std::size_t k = 0; k < K; ++k) {
        const auto& category = s.categories[s.by_id[k]];
        const CategoryAccumulator& accumulator = s.per_category[s.by_id[k]];
        CategoryMetrics metrics;
        metrics.category_id = category.id;
        metrics.name = category.name;
        metrics.ap = mean_precision(0, T, k, k + 1, 0, 2);
        metrics.ap50 = mean_at(t50, k, k + 1);
        metrics.ap75 = mean_at(t75, k, k + 1);
        metrics.ar = mean_recall(k, k + 1, 0, 2);
        std::int64_t tp = 0, fp = 0;
        for (const auto& e : accumulator.operating) {
            if (e.score < score_threshold) continue;
            if (e.status == MatchStatus::TruePositive) ++tp;
            if (e.status == MatchStatus::FalsePositive) ++fp;
        }
        metrics.support = accumulator.support;
        metrics.counts = DetectionCounts::from_counts(tp, fp, accumulator.support - tp);
        total_tp += tp;
        total_fp += fp;
        total_fn += metrics.counts.fn;
        total_support += accumulator.support;
        if (accumulator.support > 0 || tp + fp > 0) {
            ++present;
            macro_p += metrics.counts.precision;
            macro_r += metrics.counts.recall;
            macro_f += metrics.counts.f1;
        }
        const auto weight = static_cast<double>(accumulator.support);
        weighted_p += weight * metrics.counts.precision;
        weighted_r += weight * metrics.counts.recall;
        weighted_f += weight * metrics.counts.f1;
        auto entries = accumulator.operating;
        std::sort(entries.begin(), entries.end(), by_descending_score);
        result.sweep_per_category[category.id] = sweep_over_grid(entries, accumulator.support);
        all_entries.insert(all_entries.end(), accumulator.operating.begin(), accumulator.operating.end());
        result.per_category.push_back(std::move(metrics));
    }
    result.micro = DetectionCounts::from_counts(total_tp, total_fp, total_fn);
    result.macro = result.micro;
    result.weighted = result.micro;
    result.macro.precision = present ? macro_p / static_cast<double>(present) : 0.0;
    result.macro.recall = present ? macro_r / static_cast<double>(present) : 0.0;
    result.macro.f1 = present ? macro_f / static_cast<double>(present) : 0.0;
    const auto support = static_cast<double>(total_support);
    result.weighted.precision = total_support ? weighted_p / support : 0.0;
    result.weighted.recall = total_support ? weighted_r / support : 0.0;
    result.weighted.f1 = total_support ? weighted_f / support : 0.0;

    std::sort(all_entries.begin(), all_entries.end(), by_descending_score);
    result.sweep = sweep_over_grid(all_entries, total_support);
    // Best F1 over every distinct score: include all detections of a score at once.
    std::int64_t tp = 0, fp = 0;
    for (std::size_t i = 0; i < all_entries.size(); ++i) {
        if (all_entries[i].status == MatchStatus::TruePositive) ++tp;
        if (all_entries[i].status == MatchStatus::FalsePositive) ++fp;
        if (i + 1 < all_entries.size() && all_entries[i + 1].score == all_entries[i].score) continue;
        const double f1 = DetectionCounts::from_counts(tp, fp, total_support - tp).f1;
        if (!result.best_f1_threshold || f1 > result.best_f1) {
            result.best_f1 = f1;
            result.best_f1_threshold = all_entries[i].score;
        }
    }
    return result;
}

EvaluationResult evaluate(const CocoDataset& ground_truth, const DetectionsByImage& detections,
                          const EvaluatorOptions& options) {
    for (const auto& [image_id, list] : detections) {
        if (!ground_truth.find(image_id)) {
            throw Error("detections for image id " + std::to_string(image_id) + ", which is not in the ground truth",
                        "image_id");
        }
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (!ground_truth.categories().contains(list[i].category_id)) {
                throw Error("category id " + std::to_string(list[i].category_id) + " of a detection of image " +
                                std::to_string(image_id) + " is not in the ground truth",
                            "category_id");
            }
        }
    }
    Evaluator evaluator(ground_truth.categories(), options);
    static const std::vector<Detection> kNone;
    parallel_for(ground_truth.size(), options.threads, [&](std::size_t i) {
        const auto& sample = ground_truth[i];
        const auto found = detections.find(sample.id);
        evaluator.add(sample.id, sample.annotations, found == detections.end() ? kNone : found->second);
    });
    return evaluator.summarize();
}

ImageMetrics score_image(const std::vector<Annotation>& ground_truth, const std::vector<Detection>& detections,
                         double iou_threshold, double score_threshold) {
    EvaluatorOptions options;
    options.iou_threshold = iou_threshold;
    options.score_threshold = score_threshold;
    options.validate();
    std::map<Id, std::pair<std::vector<detail::GroundTruthObject>, std::vector<detail::ScoredBox>>> groups;
    for (const auto& a : ground_truth) groups[a.category_id].first.push_back({a.bbox, a.area, a.iscrowd, a.id == 0});
    for (const auto& d : detections) groups[d.category_id].second.push_back({d.bbox, d.score});
    std::int64_t tp = 0, fp = 0, support = 0, counted = 0;
    for (const auto& [category, group] : groups) {
        const auto& [gt, dt] = group;
        const auto sorted = detail::sort_and_measure(dt, gt);
        const auto status = detail::match_at_threshold(sorted, gt, iou_threshold);
        for (std::size_t d = 0; d < status.size(); ++d) {
            if (sorted.boxes[d].score < score_threshold) continue;
            ++counted;
            tp += status[d] == MatchStatus::TruePositive;
            fp += status[d] == MatchStatus::FalsePositive;
        }
        support += std::count_if(gt.begin(), gt.end(), [](const auto& g) { return !g.crowd; });
    }
    return image_metrics(tp, fp, support, counted);
}

}  // namespace edgebench
