#include "edgebench/runner.hpp"

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "edgebench/error.hpp"
#include "edgebench/netns.hpp"
#include "edgebench/workload.hpp"
#include "internal/csv_reader.hpp"
#include "internal/unix_time.hpp"
#include "runner/dataset_cache.hpp"
#include "runner/local_cluster.hpp"
#include "runner/netns_host.hpp"
#include "runner/netns_ledger.hpp"
#include "runner/program_paths.hpp"
#include "runner/result_store.hpp"
#include "runner/run_rows.hpp"

namespace edgebench {
namespace {

// Appends to `rows` the hardware samples each node wrote during [start, end], reading each node's hw.csv
// from where the previous run stopped.
void collect_hardware(const detail::LocalCluster& cluster, const std::string& run_id, double start, double end,
                      std::map<std::string, std::streamoff>& offsets, std::vector<std::vector<std::string>>& rows) {
    for (const auto& node : cluster.nodes()) {
        const auto file = node->directory / "hw.csv";
        std::ifstream in(file);
        if (!in) continue;
        std::string header_line;
        std::getline(in, header_line);
        const auto header = detail::split_csv_line(header_line);
        std::streamoff& offset = offsets[file.string()];
        if (offset > 0) in.seekg(offset);
        std::string line;
        std::streamoff consumed = offset > 0 ? offset : static_cast<std::streamoff>(in.tellg());
        while (std::getline(in, line)) {
            if (in.eof() && !line.empty()) break;  // a row being written: take it next time
            consumed = static_cast<std::streamoff>(in.tellg());
            const auto cells = detail::split_csv_line(line);
            if (cells.empty() || cells[0].empty()) continue;
            const double time = std::strtod(cells[0].c_str(), nullptr);
            if (time < start || time > end) continue;
            std::vector<std::string> row = {run_id, node->role};
            row.insert(row.end(), cells.begin(), cells.end());
            row.resize(detail::ResultStore::hw_columns().size());
            rows.push_back(std::move(row));
        }
        offset = consumed;
    }
}

}  // namespace

SweepResult run_experiment(const Experiment& experiment, const RunnerOptions& options) {
    if (options.out_dir.empty()) throw Error("an output folder is needed", "out");
    bool uses_netns = false;
    for (const auto& run : experiment.runs()) {
        if (run.backend == LaunchBackend::Compose || run.backend == LaunchBackend::Kubernetes) {
            throw Error("backend '" + to_string(run.backend) + "' runs outside this runner: write its files with "
                        "write_compose_files / write_kubernetes_files (`edgebench run` does so for this backend)",
                        "backend");
        }
        uses_netns |= run.backend == LaunchBackend::Netns;
    }
    // A missing program fails the sweep now, not each of its runs.
    (void)detail::find_program("edgebench-cloud");
    (void)detail::find_program("edgebench-edge");
    // So does a host that cannot make namespaces: before anything is written or started.
    NetnsSupport netns_support;
    if (uses_netns) {
        netns_support = probe_netns_support();
        if (!netns_support.available) throw Error(netns_support.reason, "backend");
        // What a crashed sweep in this folder left behind goes before this one starts.
        if (options.resume && std::filesystem::exists(detail::netns_state_file(options.out_dir))) {
            (void)cleanup_netns(options.out_dir);
        }
    }
    const auto sweep_start = std::chrono::steady_clock::now();
    SweepResult sweep;
    sweep.runs = experiment.runs().size();
    sweep.out_dir = options.out_dir;
    detail::ResultStore store(options.out_dir, experiment, options.resume);
    detail::DatasetCache datasets(options.out_dir / "datasets");
    // Declared before the cluster, so that it outlives the namespaces the cluster's host made with it.
    std::unique_ptr<detail::NetnsSession> netns;
    if (uses_netns) netns = std::make_unique<detail::NetnsSession>(options.out_dir, netns_support);
    std::unique_ptr<detail::LocalCluster> cluster;
    std::map<std::string, std::streamoff> hw_offsets;
    std::size_t cluster_generation = 0;

    SweepProgress progress;
    progress.run_count = sweep.runs;
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - sweep_start).count(); };
    auto report = [&](SweepProgress::Phase phase) {
        progress.phase = phase;
        progress.elapsed_s = elapsed();
        const std::size_t done_runs = sweep.finished + sweep.failed;
        const std::size_t left = sweep.runs - sweep.skipped - done_runs;
        progress.eta_s = done_runs > 0 ? progress.elapsed_s / static_cast<double>(done_runs) * static_cast<double>(left) : -1;
        if (options.on_progress) options.on_progress(progress);
    };

    double previous_end = 0;
    std::size_t previous_generation = 0;
    double gap_sum = 0;
    std::size_t gaps = 0;
    for (std::size_t i = 0; i < experiment.runs().size(); ++i) {
        const RunConfig& run = experiment.runs()[i];
        progress.run_number = i + 1;
        progress.run_id = run.run_id;
        progress.requests_done = progress.requests_planned = 0;
        progress.message.clear();
        if (options.stop.stop_requested()) {
            sweep.interrupted = true;
            break;
        }
        if (store.finished(run.run_id)) {
            ++sweep.skipped;
            report(SweepProgress::Phase::RunSkipped);
            continue;
        }
        report(SweepProgress::Phase::Starting);
        detail::RunRows rows;
        rows.started_unix = detail::unix_time_now();
        WorkloadResult result;
        try {
            const CocoDataset images = detail::select_images(datasets.get(run.dataset), run);
            if (images.empty()) throw Error("the run has no images", "images");
            if (cluster && cluster->can_serve(run) && cluster->healthy()) {
                cluster->configure(run);
            } else {
                cluster.reset();
                detail::ClusterOptions cluster_options;
                cluster_options.directory = options.out_dir / "nodes";
                cluster_options.monitor_period_s = options.monitor_period_s;
                std::unique_ptr<detail::NodeHost> host;
                if (run.backend == LaunchBackend::Netns) host = std::make_unique<detail::NetnsHost>(run, *netns);
                cluster = std::make_unique<detail::LocalCluster>(run, cluster_options, std::move(host));
                ++cluster_generation;
            }
            store.note_launch(run.run_id, cluster->host().describe(run));
            WorkloadConfig config;
            config.edges = cluster->edge_urls();
            config.format = run.workload.format;
            config.schedule = run.workload.schedule;
            config.warmup_requests = run.workload.warmup;
            config.timeout_s = run.workload.timeout_s;
            config.run_id = run.run_id;
            progress.requests_planned = plan_requests(config, images.size()).size();
            report(SweepProgress::Phase::Running);
            result = run_workload(
                config, images,
                [&](const RequestRecord&) {
                    ++progress.requests_done;
                    if (progress.requests_done % 8 == 0 || progress.requests_done == progress.requests_planned) {
                        report(SweepProgress::Phase::Running);
                    }
                },
                options.stop);
            if (result.interrupted) {
                // Left out entirely: a resume redoes this run rather than count half of it.
                sweep.interrupted = true;
                break;
            }
            std::vector<detail::NodeIdentity> nodes;
            for (const auto& node : cluster->nodes()) {
                detail::NodeIdentity identity{node->name, node->role, node->role == "edge" ? node->url : "", "none"};
                if (node->role == "cloud") {
                    identity.detector = run.cloud_detector();
                } else {
                    for (std::size_t e = 0; e < run.edges.size(); ++e) {
                        if (run.edges[e].name == node->name) identity.detector = run.edge_detector(e);
                    }
                }
                nodes.push_back(identity);
            }
            // What was answered is recorded whatever happened next.
            detail::build_run_rows(run, images, result, nodes, rows);
            rows.status = "ok";
            if (result.records.empty()) {
                rows.status = "failed";
                rows.error = "no request was sent";
            } else if (result.summary.failed == result.records.size()) {
                rows.status = "failed";
                rows.error = "every request failed; the first: " + result.records.front().error;
            }
            // A node that died during the run makes it a failed run (retried on --resume).
            cluster->check_alive();
        } catch (const std::exception& error) {
            rows.status = "failed";
            rows.error = error.what();
            if (cluster) {
                cluster->sample_hardware();
                collect_hardware(*cluster, run.run_id, rows.started_unix, detail::unix_time_now(), hw_offsets, rows.hw);
            }
            cluster.reset();  // start afresh for the next run
        }
        if (cluster && rows.status == "ok") cluster->sample_hardware();
        rows.finished_unix = detail::unix_time_now();
        if (cluster && rows.status == "ok") {
            collect_hardware(*cluster, run.run_id, rows.started_unix, rows.finished_unix, hw_offsets, rows.hw);
        }
        store.record(run, rows);

        // The harness's own time between consecutive runs that shared their nodes: from the last answer of
        // one to the start of the next one's workload (reconfiguring, scoring and writing in between).
        if (!result.records.empty()) {
            double last_done = 0;
            for (const auto& r : result.records) last_done = std::max(last_done, r.sent_unix + r.round_trip_ms / 1000.0);
            if (previous_end > 0 && previous_generation == cluster_generation) {
                const double gap = result.started_unix - previous_end;
                sweep.max_gap_s = std::max(sweep.max_gap_s, gap);
                gap_sum += gap;
                ++gaps;
            }
            previous_end = last_done;
            previous_generation = cluster_generation;
        } else {
            previous_end = 0;
        }
        if (rows.status == "ok") {
            ++sweep.finished;
            report(SweepProgress::Phase::RunFinished);
        } else {
            ++sweep.failed;
            progress.message = rows.error;
            report(SweepProgress::Phase::RunFailed);
        }
    }
    cluster.reset();
    if (options.stop.stop_requested()) sweep.interrupted = true;
    store.close(sweep.interrupted ? "interrupted" : "complete");
    sweep.mean_gap_s = gaps ? gap_sum / static_cast<double>(gaps) : 0;
    sweep.wall_s = elapsed();
    progress.run_id.clear();
    report(SweepProgress::Phase::Finished);
    return sweep;
}

std::string summary_table(const std::filesystem::path& result_dir) {
    const auto runs = detail::read_csv(result_dir / "runs.csv");
    const auto summary = detail::read_csv(result_dir / "summary.csv");
    std::ostringstream out;
    char line[512];
    std::snprintf(line, sizeof line, "%-9s %-7s %-10s %-44s %6s %6s %6s %9s %9s %7s %8s\n", "run", "status", "node",
                  "configuration", "mAP", "AP50", "F1", "p50 ms", "p99 ms", "req/s", "out/in");
    out << line;
    std::map<std::string, std::string> describe;
    for (const auto& row : runs.rows) {
        std::string text;
        // A row may be shorter than the header (a file cut short, or edited by hand).
        for (std::size_t c = 0; c < runs.header.size() && c < row.size(); ++c) {
            if (runs.header[c].rfind("axis:", 0) != 0) continue;
            if (!text.empty()) text += ' ';
            text.append(runs.header[c], 5).append("=").append(row[c]);
        }
        if (text.empty()) text = runs.cell(row, "detector") + " " + runs.cell(row, "preprocess");
        describe[runs.cell(row, "run_id")] = text;
    }
    auto fixed = [](const std::string& cell, int decimals) {
        if (cell.empty()) return std::string("-");
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.*f", decimals, std::strtod(cell.c_str(), nullptr));
        return std::string(buffer);
    };
    for (const auto& row : runs.rows) {
        const std::string id = runs.cell(row, "run_id");
        bool any = false;
        for (const auto& s : summary.rows) {
            if (summary.cell(s, "run_id") != id) continue;
            any = true;
            std::string configuration = describe[id];
            if (configuration.size() > 44) configuration = configuration.substr(0, 41) + "...";
            std::snprintf(line, sizeof line, "%-9s %-7s %-10s %-44s %6s %6s %6s %9s %9s %7s %8s\n", id.c_str(),
                          runs.cell(row, "status").c_str(), summary.cell(s, "node").c_str(), configuration.c_str(),
                          fixed(summary.cell(s, "map"), 3).c_str(), fixed(summary.cell(s, "ap50"), 3).c_str(),
                          fixed(summary.cell(s, "f1"), 3).c_str(), fixed(summary.cell(s, "latency_p50_ms"), 1).c_str(),
                          fixed(summary.cell(s, "latency_p99_ms"), 1).c_str(),
                          fixed(summary.cell(s, "throughput_rps"), 1).c_str(), fixed(summary.cell(s, "bytes_ratio"), 3).c_str());
            out << line;
        }
        if (!any) {
            std::snprintf(line, sizeof line, "%-9s %-7s %s\n", id.c_str(), runs.cell(row, "status").c_str(),
                          runs.cell(row, "error").substr(0, 120).c_str());
            out << line;
        }
    }
    return out.str();
}

}  // namespace edgebench
