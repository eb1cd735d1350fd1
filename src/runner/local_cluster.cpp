#include "runner/local_cluster.hpp"

#include <thread>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "edgebench/http_client.hpp"
#include "internal/file_io.hpp"
#include "runner/program_paths.hpp"
#include "services/config_json.hpp"

namespace edgebench::detail {
namespace {

using nlohmann::json;

std::string error_text(const HttpResponse& response) {
    if (response.outcome != HttpResponse::Outcome::Ok) return response.error;
    const json body = json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("error")) {
        std::string text = body["error"].get<std::string>();
        if (body.contains("field")) text = body["field"].get<std::string>() + ": " + text;
        return text;
    }
    return "HTTP " + std::to_string(response.status);
}

}  // namespace

std::string edge_config_json(const RunConfig& run, std::size_t index, const std::string& cloud_url,
                             const std::optional<LinkProfile>& in_process_link) {
    const EdgeSpec& edge = run.edges.at(index);
    return json({{"name", edge.name},
                 {"detector", run.edge_detector(index)},
                 {"detector_options", detector_options_to_json(edge.detector_options)},
                 {"preprocess", edge.preprocess.to_string()},
                 {"cloud_url", cloud_url},
                 // Half the client's timeout: the edge answers (with the forward recorded as timed out) before
                 // the client gives up on it.
                 {"forward_timeout_s", std::max(0.05, run.workload.timeout_s / 2)},
                 {"link", link_profile_to_json(in_process_link.value_or(edge.link))},
                 {"iou_threshold", run.iou_threshold},
                 {"score_threshold", run.score_threshold},
                 {"run_id", run.run_id}})
        .dump();
}

std::string cloud_config_json(const RunConfig& run) {
    return json({{"name", "cloud"},
                 {"detector", run.cloud_detector()},
                 {"detector_options", detector_options_to_json(run.cloud.detector_options)},
                 {"iou_threshold", run.iou_threshold},
                 {"score_threshold", run.score_threshold},
                 {"run_id", run.run_id}})
        .dump();
}

int LocalCluster::edge_workers(const RunConfig& run) {
    // The connections the workload client opens to one edge (WorkloadConfig::connections_per_edge).
    WorkloadConfig config;
    config.schedule = run.workload.schedule;
    return std::max(4, config.connections_per_edge() + 2);
}

LocalCluster::LocalCluster(const RunConfig& run, ClusterOptions options, std::unique_ptr<NodeHost> host)
    : options_(std::move(options)), host_(host ? std::move(host) : std::make_unique<LoopbackHost>()) {
    edge_count_ = run.edges.size();
    workers_ = edge_workers(run);
    const auto cloud_program = find_program("edgebench-cloud");
    const auto edge_program = find_program("edgebench-edge");
    try {
        auto cloud = std::make_unique<ClusterNode>();
        cloud->name = "cloud";
        cloud->role = "cloud";
        cloud->directory = options_.directory / "cloud";
        // Every edge may forward from all of its workers at once.
        start_node(0, *cloud, cloud_program, cloud_config_json(run), static_cast<int>(edge_count_) * workers_ + 2);
        const std::string cloud_port = cloud->url.substr(cloud->url.rfind(':') + 1);
        nodes_.push_back(std::move(cloud));
        for (std::size_t i = 0; i < edge_count_; ++i) {
            auto edge = std::make_unique<ClusterNode>();
            edge->name = run.edges[i].name;
            edge->role = "edge";
            edge->directory = options_.directory / edge->name;
            const std::string cloud_url = "http://" + host_->cloud_address_for_edge(i) + ":" + cloud_port;
            start_node(i + 1, *edge, edge_program,
                       edge_config_json(run, i, cloud_url, host_->in_process_link(run.edges[i].link)), workers_);
            nodes_.push_back(std::move(edge));
        }
    } catch (...) {
        stop();
        throw;
    }
}

LocalCluster::~LocalCluster() { stop(); }

void LocalCluster::start_node(std::size_t index, ClusterNode& node, const std::filesystem::path& program,
                              const std::string& config_json, int workers) {
    std::filesystem::create_directories(node.directory);
    const auto config_file = node.directory / "config.json";
    const auto port_file = node.directory / "port";
    std::filesystem::remove(port_file);
    write_file_atomically(config_file, config_json);
    char period[32];
    std::snprintf(period, sizeof period, "%g", options_.monitor_period_s);
    std::vector<std::string> argv = host_->launch_prefix(index);
    for (const std::string& arg : {program.string(), std::string("--config"), config_file.string(), std::string("--host"),
                                   host_->listen_address(index), std::string("--port"), std::string("0"),
                                   std::string("--port-file"), port_file.string(), std::string("--out"),
                                   node.directory.string(), std::string("--workers"), std::to_string(workers),
                                   std::string("--monitor-period"), std::string(period)}) {
        argv.push_back(arg);
    }
    node.process = std::make_unique<ChildProcess>(argv, std::vector<std::string>{}, node.directory / "node.log");
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(options_.start_timeout_s));
    while (!std::filesystem::exists(port_file)) {
        if (!node.process->running()) {
            throw Error("node " + node.name + " exited with status " + std::to_string(node.process->exit_status().value_or(-1)) +
                            " while starting: " + node.process->log_tail(600),
                        node.name);
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw Error("node " + node.name + " did not start within " + std::to_string(options_.start_timeout_s) +
                            " s: " + node.process->log_tail(600),
                        node.name);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    node.url = "http://" + host_->client_address(index) + ":" + read_file_text(port_file);
    write_file_atomically(node.directory / "pid", std::to_string(node.process->pid()));
}

bool LocalCluster::can_serve(const RunConfig& run) const {
    if (run.backend != host_->backend()) return false;
    if (run.edges.size() != edge_count_ || edge_workers(run) > workers_) return false;
    for (std::size_t i = 0; i < edge_count_; ++i) {
        if (nodes_.at(i + 1)->name != run.edges[i].name) return false;
    }
    return true;
}

void LocalCluster::configure(const RunConfig& run) {
    HttpClient client(HttpClientOptions{static_cast<long>(options_.start_timeout_s * 1000), 5000, ""});
    host_->shape_links(run);
    const std::string cloud_port = nodes_.front()->url.substr(nodes_.front()->url.rfind(':') + 1);
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
        const auto& node = *nodes_[n];
        const std::string body =
            n == 0 ? cloud_config_json(run)
                   : edge_config_json(run, n - 1, "http://" + host_->cloud_address_for_edge(n - 1) + ":" + cloud_port,
                                      host_->in_process_link(run.edges[n - 1].link));
        const auto response = client.put(node.url + "/v1/config", body, "application/json");
        if (!response.ok()) {
            throw Error("node " + node.name + " refused the configuration: " + error_text(response), node.name);
        }
    }
}

void LocalCluster::check_alive() {
    HttpClient client(HttpClientOptions{2000, 1000, ""});
    for (const auto& node : nodes_) {
        if (node->process && !node->process->running()) {
            throw Error("node " + node->name + " exited with status " +
                            std::to_string(node->process->exit_status().value_or(-1)) + ": " +
                            node->process->log_tail(400),
                        node->name);
        }
        // A process killed a moment ago may not have been reaped yet: ask the node itself too.
        const auto health = client.get(node->url + "/healthz");
        if (!health.ok()) {
            // Give a dying process the time to become reapable, for a precise message.
            for (int i = 0; i < 50 && node->process && node->process->running(); ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            const bool exited = node->process && !node->process->running();
            throw Error("node " + node->name +
                            (exited ? " exited with status " + std::to_string(node->process->exit_status().value_or(-1))
                                    : " does not answer: " + error_text(health)),
                        node->name);
        }
    }
}

bool LocalCluster::healthy() noexcept {
    try {
        check_alive();
        return true;
    } catch (...) {
        return false;
    }
}

void LocalCluster::sample_hardware() noexcept {
    if (options_.monitor_period_s <= 0) return;
    try {
        HttpClient client(HttpClientOptions{2000, 5000, ""});
        for (const auto& node : nodes_) (void)client.post(node->url + "/v1/hw/sample", "", "application/json");
    } catch (...) {
        // Sampling is best effort; the run's outcome does not depend on it.
    }
}

void LocalCluster::stop() {
    // Edges first, so that no edge forwards to a cloud that is gone.
    for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
        if ((*it)->process) (*it)->process->stop(std::chrono::seconds(15));
    }
}

std::vector<std::string> LocalCluster::edge_urls() const {
    std::vector<std::string> urls;
    for (std::size_t i = 1; i < nodes_.size(); ++i) urls.push_back(nodes_[i]->url);
    return urls;
}

}  // namespace edgebench::detail
