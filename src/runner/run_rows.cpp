#include "runner/run_rows.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "edgebench/evaluator.hpp"
#include "edgebench/request_log.hpp"
#include "internal/csv_appender.hpp"

namespace edgebench::detail {
namespace {

using ordered_json = nlohmann::ordered_json;

// COCO's -1 (undefined: no ground truth of that kind) is an empty cell, as pandas reads NaN.
std::string metric(double value) { return value < 0 ? "" : csv_number(value); }

std::string single_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
}

// The node's cells of a requests.csv row: RequestLog's columns without those the client part already has.
std::vector<std::string> node_cells(const InferResponse* response, double time_unix) {
    const auto& columns = RequestLog::columns();
    std::vector<std::string> all = response ? RequestLog::row(*response, time_unix) : std::vector<std::string>(columns.size());
    std::vector<std::string> cells;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (!client_part_has(columns[i])) cells.push_back(single_line(all[i]));
    }
    return cells;
}

// Running means of what nodes report.
struct NodeTotals {
    std::size_t requests = 0;
    std::size_t ok = 0;
    double bytes_in = 0;
    double bytes_out = 0;
    double preprocess_ms = 0;
    double inference_ms = 0;
    double total_ms = 0;
    double cpu_ms = 0;
    double forward_ms = 0;
    std::size_t forward_failed = 0;

    void add(const InferResponse& r) {
        ++ok;
        bytes_in += static_cast<double>(r.timings.preprocess_detail.bytes_in);
        bytes_out += static_cast<double>(r.timings.preprocess_detail.bytes_out);
        preprocess_ms += r.timings.preprocess.wall_ms;
        inference_ms += r.timings.inference.wall_ms;
        total_ms += r.timings.total.wall_ms;
        cpu_ms += r.timings.total.cpu_ms;
        forward_ms += r.timings.forward.wall_ms;
        if (r.forward.status != ForwardOutcome::Status::Ok && r.forward.status != ForwardOutcome::Status::Disabled) {
            ++forward_failed;
        }
    }
    std::string mean(double sum) const { return ok ? csv_number(sum / static_cast<double>(ok)) : std::string(); }
};

}  // namespace

bool client_part_has(std::string_view request_log_column) {
    return request_log_column == "node" || request_log_column == "run_id" || request_log_column == "request_id" ||
           request_log_column == "image_id";
}

void build_run_rows(const RunConfig& run, const CocoDataset& images, const WorkloadResult& result,
                    const std::vector<NodeIdentity>& nodes, RunRows& rows) {
    std::map<std::string, const NodeIdentity*> by_name;
    std::map<std::string, const NodeIdentity*> by_url;
    for (const auto& node : nodes) {
        by_name[node.name] = &node;
        if (!node.url.empty()) by_url[node.url] = &node;
    }
    std::map<std::string, NodeTotals> totals;
    std::map<std::string, Evaluator> evaluators;
    std::map<std::string, std::size_t> unscored;
    for (const auto& node : nodes) {
        if (node.detector != "none") {
            evaluators.emplace(node.name, Evaluator(images.categories(), EvaluatorOptions{run.iou_threshold, run.score_threshold, 1}));
        }
    }

    auto score = [&](const std::string& node, std::size_t index, Id image_id, const std::vector<Detection>& found) {
        const auto evaluator = evaluators.find(node);
        if (evaluator == evaluators.end()) return;
        const ImageSample* sample = images.find(image_id);
        if (!sample) return;
        std::vector<Detection> known;
        for (const auto& d : found) {
            if (images.categories().contains(d.category_id)) {
                known.push_back(d);
            } else {
                ++unscored[node];
            }
        }
        // Each request is its own evaluation image: the same image served twice is scored twice.
        evaluator->second.add(static_cast<Id>(index), sample->annotations, known);
    };

    auto detections_line = [&](const RequestRecord& record, const InferResponse& response, const std::string& role) {
        ordered_json list = ordered_json::array();
        for (const auto& d : response.detections) {
            list.push_back({{"category_id", d.category_id},
                            {"bbox", {d.bbox.x, d.bbox.y, d.bbox.width, d.bbox.height}},
                            {"score", d.score}});
        }
        return ordered_json({{"run_id", run.run_id},
                             {"request_index", record.index},
                             {"request_id", record.request_id},
                             {"image_id", record.image_id},
                             {"node", response.node},
                             {"role", role},
                             {"detections", std::move(list)}})
            .dump();
    };

    for (const auto& record : result.records) {
        const auto* edge = by_url.count(record.edge) ? by_url.at(record.edge) : nullptr;
        const std::string edge_name = record.edge_response ? record.edge_response->node : (edge ? edge->name : record.edge);
        const double completed_unix = record.sent_unix + record.round_trip_ms / 1000.0;
        auto client_cells = [&](const std::string& role, const std::string& node) {
            return std::vector<std::string>{run.run_id,
                                            csv_number(record.index),
                                            record.request_id,
                                            std::to_string(record.image_id),
                                            role,
                                            node,
                                            to_string(record.status),
                                            std::to_string(record.http_status),
                                            single_line(record.error),
                                            csv_number(record.latency_ms),
                                            csv_number(record.round_trip_ms),
                                            csv_number(record.sent_unix),
                                            csv_number(record.bytes_sent),
                                            csv_number(record.bytes_received),
                                            to_string(record.format)};
        };
        auto& edge_totals = totals[edge_name];
        ++edge_totals.requests;
        auto row = client_cells("edge", edge_name);
        const auto cells = node_cells(record.edge_response ? &*record.edge_response : nullptr, completed_unix);
        row.insert(row.end(), cells.begin(), cells.end());
        rows.requests.push_back(std::move(row));
        if (record.edge_response) {
            const auto& response = *record.edge_response;
            edge_totals.add(response);
            rows.detections.push_back(detections_line(record, response, "edge"));
            score(response.node, record.index, record.image_id, response.detections);
            if (response.forward.status != ForwardOutcome::Status::Disabled) ++totals["cloud"].requests;
        }
        if (record.cloud_response) {
            const auto& response = *record.cloud_response;
            totals[response.node].add(response);
            auto cloud_row = client_cells("cloud", response.node);
            const auto cloud_cells = node_cells(&response, completed_unix);
            cloud_row.insert(cloud_row.end(), cloud_cells.begin(), cloud_cells.end());
            rows.requests.push_back(std::move(cloud_row));
            rows.detections.push_back(detections_line(record, response, "cloud"));
            score(response.node, record.index, record.image_id, response.detections);
        }
    }

    // Per node: scores and a summary.
    for (std::size_t n = 0; n < nodes.size(); ++n) {
        const auto& node = nodes[n];
        const auto& t = totals[node.name];
        if (node.role == "cloud" && t.requests == 0 && node.detector == "none") continue;
        LatencySummary latency = result.summary;
        if (node.role == "edge") {
            for (std::size_t e = 0; e < result.config.edges.size(); ++e) {
                if (result.config.edges[e] == node.url && e < result.per_edge.size()) latency = result.per_edge[e];
            }
        }
        std::vector<std::string> summary = {run.run_id, node.name, node.role, node.detector, csv_number(t.requests),
                                            csv_number(t.ok), csv_number(t.requests - std::min(t.requests, t.ok))};
        const auto evaluator = evaluators.find(node.name);
        if (evaluator != evaluators.end()) {
            const EvaluationResult scores = evaluator->second.summarize();
            for (const auto& c : scores.per_category) {
                if (c.support == 0 && c.counts.tp + c.counts.fp == 0) continue;
                rows.classes.push_back({run.run_id, node.name, node.role, std::to_string(c.category_id), c.name,
                                        csv_number(c.support), csv_number(c.counts.tp), csv_number(c.counts.fp),
                                        csv_number(c.counts.fn), csv_number(c.counts.precision),
                                        csv_number(c.counts.recall), csv_number(c.counts.f1), metric(c.ap),
                                        metric(c.ap50), metric(c.ap75), metric(c.ar)});
            }
            const auto& s = scores.stats;
            for (const double v : {s[0], s[1], s[2], s[3], s[4], s[5], s[8]}) summary.push_back(metric(v));
            for (const double v : {scores.micro.precision, scores.micro.recall, scores.micro.f1, scores.macro.f1,
                                   scores.weighted.f1}) {
                summary.push_back(csv_number(v));
            }
            summary.push_back(scores.best_f1_threshold ? csv_number(*scores.best_f1_threshold) : "");
            summary.push_back(csv_number(scores.best_f1));
        } else {
            summary.insert(summary.end(), 14, "");
        }
        for (const double v : {latency.mean_ms, latency.p50_ms, latency.p90_ms, latency.p95_ms, latency.p99_ms,
                               latency.p999_ms, latency.throughput_rps, latency.duration_s}) {
            summary.push_back(csv_number(v));
        }
        summary.push_back(t.mean(t.bytes_in));
        summary.push_back(t.mean(t.bytes_out));
        summary.push_back(t.bytes_in > 0 ? csv_number(t.bytes_out / t.bytes_in) : "");
        summary.push_back(t.mean(t.preprocess_ms));
        summary.push_back(t.mean(t.inference_ms));
        summary.push_back(t.mean(t.total_ms));
        summary.push_back(t.mean(t.cpu_ms));
        summary.push_back(node.role == "edge" ? t.mean(t.forward_ms) : "");
        summary.push_back(node.role == "edge" ? csv_number(t.forward_failed) : "");
        summary.push_back(unscored.count(node.name) ? csv_number(unscored.at(node.name)) : "0");
        rows.summary.push_back(std::move(summary));
    }
}

}  // namespace edgebench::detail
