// Serialising an EvaluationResult: the documented JSON and pycocotools-style text.

#include <cstdio>

#include <nlohmann/json.hpp>

#include "edgebench/evaluator.hpp"

namespace edgebench {
namespace {

using nlohmann::json;

json counts_json(const DetectionCounts& c, bool with_counts) {
    json out = {{"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}};
    if (with_counts) {
        out["tp"] = c.tp;
        out["fp"] = c.fp;
        out["fn"] = c.fn;
    }
    return out;
}

json sweep_json(const ThresholdSweep& sweep) {
    return {{"thresholds", sweep.thresholds}, {"precision", sweep.precision}, {"recall", sweep.recall}, {"f1", sweep.f1}};
}

std::string format(const char* pattern, auto... values) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, pattern, values...);
    return buffer;
}

}  // namespace

const std::array<const char*, 12>& EvaluationResult::stat_names() {
    static const std::array<const char*, 12> names = {"AP",    "AP50",  "AP75",     "AP_small",  "AP_medium", "AP_large",
                                                      "AR1",   "AR10",  "AR100",    "AR_small",  "AR_medium", "AR_large"};
    return names;
}

std::string EvaluationResult::to_json(int indent) const {
    json per_class = json::object();
    for (const auto& c : per_category) {
        per_class[std::to_string(c.category_id)] = {
            {"name", c.name},         {"ap", c.ap},         {"ap50", c.ap50},
            {"ap75", c.ap75},         {"ar", c.ar},         {"tp", c.counts.tp},
            {"fp", c.counts.fp},      {"fn", c.counts.fn},  {"precision", c.counts.precision},
            {"recall", c.counts.recall}, {"f1", c.counts.f1}, {"support", c.support}};
    }
    json sweeps = json::object();
    for (const auto& [id, sweep] : sweep_per_category) sweeps[std::to_string(id)] = sweep_json(sweep);
    json sweep_all = sweep_json(sweep);
    sweep_all["per_category"] = std::move(sweeps);
    json document = {
        {"stats", stats},
        {"stat_names", stat_names()},
        {"per_category", std::move(per_class)},
        {"operating_point",
         {{"iou_threshold", iou_threshold},
          {"score_threshold", score_threshold},
          {"micro", counts_json(micro, true)},
          {"macro", counts_json(macro, false)},
          {"weighted", counts_json(weighted, false)}}},
        {"best_f1_threshold", best_f1_threshold ? json(*best_f1_threshold) : json(nullptr)},
        {"best_f1", best_f1},
        {"threshold_sweep", std::move(sweep_all)},
        {"images", image_count},
        {"ground_truth", ground_truth_count},
        {"detections", detection_count},
    };
    return document.dump(indent);
}

std::string EvaluationResult::to_text() const {
    struct Line {
        bool precision;
        const char* iou;
        const char* area;
        int max_detections;
    };
    static constexpr Line lines[12] = {
        {true, "0.50:0.95", "all", 100},   {true, "0.50", "all", 100},         {true, "0.75", "all", 100},
        {true, "0.50:0.95", "small", 100}, {true, "0.50:0.95", "medium", 100}, {true, "0.50:0.95", "large", 100},
        {false, "0.50:0.95", "all", 1},    {false, "0.50:0.95", "all", 10},    {false, "0.50:0.95", "all", 100},
        {false, "0.50:0.95", "small", 100}, {false, "0.50:0.95", "medium", 100}, {false, "0.50:0.95", "large", 100},
    };
    std::string text;
    for (std::size_t i = 0; i < 12; ++i) {
        const auto& l = lines[i];
        text += format(" %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %0.3f\n",
                       l.precision ? "Average Precision" : "Average Recall", l.precision ? "(AP)" : "(AR)", l.iou, l.area,
                       l.max_detections, stats[i]);
    }
    text += format("\nOperating point: IoU >= %.2f, score >= %.2f\n", iou_threshold, score_threshold);
    text += format("%-20s %8s %7s %7s %7s %9s %7s %7s %7s %7s\n", "class", "support", "tp", "fp", "fn", "precision",
                   "recall", "f1", "AP", "AP50");
    for (const auto& c : per_category) {
        if (c.support == 0 && c.counts.tp + c.counts.fp == 0 && c.ap < 0) continue;
        text += format("%-20.20s %8lld %7lld %7lld %7lld %9.3f %7.3f %7.3f %7.3f %7.3f\n", c.name.c_str(),
                       static_cast<long long>(c.support), static_cast<long long>(c.counts.tp),
                       static_cast<long long>(c.counts.fp), static_cast<long long>(c.counts.fn), c.counts.precision,
                       c.counts.recall, c.counts.f1, c.ap, c.ap50);
    }
    const long long support = static_cast<long long>(micro.tp + micro.fn);
    text += format("%-20s %8lld %7lld %7lld %7lld %9.3f %7.3f %7.3f\n", "micro avg", support,
                   static_cast<long long>(micro.tp), static_cast<long long>(micro.fp), static_cast<long long>(micro.fn),
                   micro.precision, micro.recall, micro.f1);
    text += format("%-20s %8s %7s %7s %7s %9.3f %7.3f %7.3f\n", "macro avg", "", "", "", "", macro.precision, macro.recall,
                   macro.f1);
    text += format("%-20s %8s %7s %7s %7s %9.3f %7.3f %7.3f\n", "weighted avg", "", "", "", "", weighted.precision,
                   weighted.recall, weighted.f1);
    if (best_f1_threshold) {
        text += format("\nBest F1 %.3f at score >= %.4f\n", best_f1, *best_f1_threshold);
    }
    return text;
}

}  // namespace edgebench
