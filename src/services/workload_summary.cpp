// Latency statistics of a run and its JSON summary.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "edgebench/version.hpp"
#include "edgebench/workload.hpp"

namespace edgebench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// NaN is not JSON: missing statistics are written as null.
nlohmann::json number_or_null(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

nlohmann::json summary_object(const LatencySummary& s) {
    return {{"count", s.count},
            {"ok", s.ok},
            {"failed", s.failed},
            {"mean_ms", number_or_null(s.mean_ms)},
            {"p50_ms", number_or_null(s.p50_ms)},
            {"p90_ms", number_or_null(s.p90_ms)},
            {"p95_ms", number_or_null(s.p95_ms)},
            {"p99_ms", number_or_null(s.p99_ms)},
            {"p999_ms", number_or_null(s.p999_ms)},
            {"min_ms", number_or_null(s.min_ms)},
            {"max_ms", number_or_null(s.max_ms)},
            {"duration_s", s.duration_s},
            {"throughput_rps", s.throughput_rps}};
}

}  // namespace

double percentile(std::span<const double> sorted, double fraction) {
    if (!(fraction >= 0 && fraction <= 1)) throw Error("must be between 0 and 1", "fraction");
    if (sorted.empty()) return kNaN;
    const double h = static_cast<double>(sorted.size() - 1) * fraction;
    const auto below = static_cast<std::size_t>(std::floor(h));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] + (h - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

namespace {

template <typename Keep>
LatencySummary summarize_if(std::span<const RequestRecord> records, Keep keep) {
    LatencySummary s;
    std::vector<double> latencies;
    latencies.reserve(records.size());
    double first_scheduled = std::numeric_limits<double>::infinity();
    double last_completed = -std::numeric_limits<double>::infinity();
    for (const auto& r : records) {
        if (!keep(r)) continue;
        ++s.count;
        if (r.ok()) latencies.push_back(r.latency_ms);
        first_scheduled = std::min(first_scheduled, r.scheduled_ms);
        last_completed = std::max(last_completed, r.completed_ms);
    }
    s.ok = latencies.size();
    s.failed = s.count - s.ok;
    std::sort(latencies.begin(), latencies.end());
    s.mean_ms = latencies.empty() ? kNaN
                                  : std::accumulate(latencies.begin(), latencies.end(), 0.0) / static_cast<double>(latencies.size());
    s.p50_ms = percentile(latencies, 0.50);
    s.p90_ms = percentile(latencies, 0.90);
    s.p95_ms = percentile(latencies, 0.95);
    s.p99_ms = percentile(latencies, 0.99);
    s.p999_ms = percentile(latencies, 0.999);
    s.min_ms = latencies.empty() ? kNaN : latencies.front();
    s.max_ms = latencies.empty() ? kNaN : latencies.back();
    s.duration_s = s.count == 0 ? 0.0 : std::max(0.0, (last_completed - first_scheduled) / 1000.0);
    s.throughput_rps = s.duration_s > 0 ? static_cast<double>(s.ok) / s.duration_s : 0.0;
    return s;
}

}  // namespace

LatencySummary summarize_latencies(std::span<const RequestRecord> records) {
    return summarize_if(records, [](const RequestRecord&) { return true; });
}

LatencySummary summarize_latencies(std::span<const RequestRecord> records, std::size_t edge_index) {
    return summarize_if(records, [edge_index](const RequestRecord& r) { return r.edge_index == edge_index; });
}

std::string LatencySummary::to_json() const { return summary_object(*this).dump(); }

std::string WorkloadResult::summary_json(int indent) const {
    nlohmann::json per_edge_json = nlohmann::json::array();
    for (std::size_t e = 0; e < per_edge.size(); ++e) {
        auto entry = summary_object(per_edge[e]);
        entry["edge"] = e < config.edges.size() ? config.edges[e] : "";
        per_edge_json.push_back(std::move(entry));
    }
    const nlohmann::json document = {
        {"edgebench_version", kVersion},
        {"run_id", config.run_id},
        {"config", nlohmann::json::parse(config.to_json())},
        {"schedule", config.schedule.describe()},
        {"summary", summary_object(summary)},
        {"per_edge", std::move(per_edge_json)},
        {"planned", planned},
        {"sent", records.size()},
        {"warmup", {{"sent", warmup_sent}, {"failed", warmup_failed}, {"first_error", warmup_error}}},
        {"interrupted", interrupted},
        {"started_unix", started_unix},
        {"finished_unix", finished_unix},
        {"latency", "completed minus scheduled send time, successful requests only"},
        {"percentile_definition",
         "linear interpolation between closest ranks (numpy default, Hyndman-Fan type 7): h = (n-1)p, "
         "x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])"}};
    return document.dump(indent);
}

}  // namespace edgebench
