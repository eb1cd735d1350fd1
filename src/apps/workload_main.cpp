// edgebench-workload: drives a COCO dataset's images through edges and reports latency. All logic is in
// the library (run_workload, WorkloadRecordWriter).

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <stop_token>

#include "apps/program.hpp"
#include "apps/signal_watcher.hpp"
#include "cli/arg_parser.hpp"
#include "cli/text_table.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/error.hpp"
#include "edgebench/workload.hpp"

namespace edgebench::apps {
namespace {

using cli::ArgParser;
using cli::UsageError;

std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (value && *value) return std::string(value);
    return std::nullopt;
}

std::size_t count_of(const ArgParser& parser, const std::string& name) {
    const long long value = parser.integer(name);
    if (value < 0) throw UsageError("--" + name + " must not be negative");
    return static_cast<std::size_t>(value);
}

std::string ms(double value) { return std::isfinite(value) ? cli::fixed(value, 2) : "-"; }

void add_row(cli::TextTable& table, const std::string& name, const LatencySummary& s) {
    table.add_row({name, std::to_string(s.count), std::to_string(s.ok), std::to_string(s.failed), ms(s.mean_ms),
                   ms(s.p50_ms), ms(s.p90_ms), ms(s.p95_ms), ms(s.p99_ms), ms(s.p999_ms), cli::fixed(s.throughput_rps, 1)});
}

WorkloadConfig config_from(const ArgParser& parser) {
    WorkloadConfig config;
    config.edges = parser.all("edge");
    if (config.edges.empty()) {
        if (auto list = env("EDGEBENCH_EDGES")) {
            std::string item;
            for (const char c : *list + ",") {
                if (c == ',') {
                    if (!item.empty()) config.edges.push_back(item);
                    item.clear();
                } else {
                    item += c;
                }
            }
        }
    }
    if (config.edges.empty()) throw UsageError("give at least one --edge URL (or EDGEBENCH_EDGES)");
    try {
        config.format = parse_wire_format(parser.value("format"));
        config.schedule.kind = parse_schedule_kind(parser.value("schedule"));
    } catch (const Error& error) {
        throw UsageError("--" + error.field() + ": " + error.message());
    }

    // Flags that belong to another schedule are a mistake worth saying out loud.
    auto only_for = [&](const std::string& flag, Schedule::Kind kind, const char* kinds) {
        if (parser.has(flag) && config.schedule.kind != kind) throw UsageError("--" + flag + " applies to --schedule " + kinds);
    };
    only_for("images-per-edge", Schedule::Kind::RoundRobin, "round-robin");
    only_for("repeats", Schedule::Kind::RoundRobin, "round-robin");
    only_for("distinct", Schedule::Kind::RoundRobin, "round-robin");
    only_for("concurrency", Schedule::Kind::ClosedLoop, "closed");
    only_for("rate", Schedule::Kind::OpenLoop, "open");
    only_for("duration", Schedule::Kind::OpenLoop, "open");
    only_for("seed", Schedule::Kind::OpenLoop, "open");
    if (parser.has("requests") && config.schedule.kind == Schedule::Kind::RoundRobin) {
        throw UsageError("--requests applies to --schedule closed or open (round-robin sends N x X per edge)");
    }

    auto& s = config.schedule;
    s.images_per_edge = count_of(parser, "images-per-edge");
    s.repeats = count_of(parser, "repeats");
    s.distinct_images = parser.has("distinct");
    s.concurrency = static_cast<int>(parser.integer("concurrency"));
    if (parser.has("requests")) s.requests = count_of(parser, "requests");
    if (s.kind == Schedule::Kind::OpenLoop) {
        if (!parser.has("rate")) throw UsageError("--schedule open needs --rate R (requests per second)");
        s.rate = parser.number("rate");
        if (parser.has("duration")) s.duration_s = parser.number("duration");
        if (parser.has("duration") && parser.has("requests")) throw UsageError("give --requests or --duration, not both");
        s.seed = static_cast<std::uint64_t>(parser.integer("seed"));
    }
    config.warmup_requests = count_of(parser, "warmup");
    config.timeout_s = parser.number("timeout");
    if (auto token = parser.get("token")) config.token = *token;
    else if (auto from_env = env("EDGEBENCH_TOKEN")) config.token = *from_env;
    if (auto run_id = parser.get("run-id")) config.run_id = *run_id;
    else if (auto from_env = env("EDGEBENCH_RUN_ID")) config.run_id = *from_env;
    config.send_annotations = !parser.has("no-annotations");
    if (auto settings = parser.get("preprocess")) config.preprocess = PreprocessConfig::parse(*settings);
    config.image_limit = count_of(parser, "limit");
    if (parser.has("shuffle")) {
        config.order = ImageOrder::Shuffled;
        config.order_seed = static_cast<std::uint64_t>(parser.integer("shuffle"));
    }
    config.max_connections_per_edge = static_cast<int>(parser.integer("connections"));
    try {
        config.validate();
    } catch (const Error& error) {
        throw UsageError(error.what());
    }
    return config;
}

int run_workload_program(const std::vector<std::string>& args) {
    ArgParser parser("edgebench-workload",
                     "Send a COCO dataset's images (bytes plus annotations) to edges over HTTP on a schedule, record "
                     "every request and report latency (mean, p50, p90, p95, p99, p99.9) and throughput.\n"
                     "Schedules: round-robin (each edge in turn gets the same N images X times, one at a time), closed "
                     "(C requests in flight), open (Poisson arrivals at R requests/s; latency counts from the scheduled "
                     "time).\nSIGINT/SIGTERM: stop sending, let requests in flight finish, keep the records.");
    parser.repeated("edge", "URL", "an edge's base URL, e.g. http://127.0.0.1:8101 (or EDGEBENCH_EDGES=URL,URL)")
        .option("dataset", "INSTANCES.json", "COCO instances file of the images to send")
        .option("images", "DIR", "folder of the image files (default: images/ beside the JSON, or its folder)")
        .option("limit", "N", "send at most N images of the dataset (0: all)", "0")
        .option("shuffle", "SEED", "take the images in an order shuffled with SEED")
        .option("schedule", "KIND", "round-robin, closed or open", "round-robin")
        .option("images-per-edge", "N", "round-robin: images per edge (0: all)", "0")
        .option("repeats", "X", "round-robin: times each edge gets its images", "1")
        .flag("distinct", "round-robin: edge e gets images [eN, eN+N) instead of the same first N")
        .option("concurrency", "C", "closed: requests in flight", "1")
        .option("rate", "R", "open: mean arrival rate, requests per second")
        .option("duration", "S", "open: schedule arrivals for S seconds (instead of --requests)")
        .option("seed", "S", "open: seed of the arrival times", "1")
        .option("requests", "N", "closed/open: requests to send (default: one per image)")
        .option("warmup", "N", "requests per edge sent first and left out of records and statistics", "0")
        .option("format", "FMT", "multipart (raw image bytes) or json (image in base64, the original study's)", "multipart")
        .option("timeout", "S", "seconds a request may take, from its scheduled time", "30")
        .option("connections", "N", "connections per edge at most (0: C for closed, 8 for open, 1 for round-robin)", "0")
        .option("token", "TOKEN", "bearer token for the edges (EDGEBENCH_TOKEN)")
        .option("run-id", "ID", "run id stamped into every request and record (EDGEBENCH_RUN_ID)")
        .option("preprocess", "SETTINGS", "preprocessing for every request, overriding the edges' own")
        .flag("no-annotations", "do not send ground truth (the nodes then do not score)")
        .option("out", "DIR", "write client_requests.csv, client_detections.jsonl and client_summary.json here");
    if (!parser.parse(args)) return 0;

    const WorkloadConfig config = config_from(parser);
    if (!parser.has("dataset")) throw UsageError("missing --dataset INSTANCES.json");
    std::optional<std::filesystem::path> image_dir;
    if (auto dir = parser.get("images")) image_dir = *dir;
    const CocoDataset dataset = CocoDataset::load(parser.value("dataset"), image_dir);

    std::unique_ptr<WorkloadRecordWriter> writer;
    if (auto out = parser.get("out")) writer = std::make_unique<WorkloadRecordWriter>(*out);

    // Block the signals before any thread starts, so that every thread inherits the mask.
    block_stop_signals();
    std::stop_source stop;
    WorkloadResult result;
    {
        SignalWatcher watcher([&stop](int) { stop.request_stop(); });
        const std::size_t images = config.image_limit ? std::min(config.image_limit, dataset.size()) : dataset.size();
        std::cout << "edgebench-workload: " << config.schedule.describe() << ", " << config.edges.size() << " edge"
                  << (config.edges.size() == 1 ? "" : "s") << ", " << images << " images, " << to_string(config.format)
                  << std::endl;
        result = run_workload(
            config, dataset,
            [&writer](const RequestRecord& record) {
                if (writer) writer->append(record);
            },
            stop.get_token());
    }
    if (writer) writer->write_summary(result);

    cli::TextTable table({"edge", "requests", "ok", "failed", "mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms",
                          "p99.9_ms", "req/s"});
    for (std::size_t e = 0; e < config.edges.size(); ++e) add_row(table, config.edges[e], result.per_edge[e]);
    if (config.edges.size() > 1) add_row(table, "all", result.summary);
    table.print(std::cout);
    if (result.warmup_failed > 0) {
        std::cout << "warm-up: " << result.warmup_failed << " of " << result.warmup_sent << " failed (" << result.warmup_error
                  << ")\n";
    }
    if (result.interrupted) {
        std::cout << "interrupted: " << result.records.size() << " of " << result.planned << " requests sent\n";
    }
    if (writer) std::cout << "records: " << writer->directory().string() << "\n";

    if (!result.records.empty() && result.summary.ok == 0) {
        const auto& first = result.records.front();
        throw Error("all " + std::to_string(result.records.size()) + " requests failed; the first: " + to_string(first.status) +
                    (first.error.empty() ? "" : " (" + first.error + ")"));
    }
    return 0;
}

}  // namespace
}  // namespace edgebench::apps

int main(int argc, char** argv) {
    return edgebench::apps::run_program("edgebench-workload", argc, argv, edgebench::apps::run_workload_program);
}
