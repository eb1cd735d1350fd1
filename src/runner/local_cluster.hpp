#pragma once
// The nodes of a run as child processes on this machine: one cloud and N edges, each with its own port,
// output folder, log and hardware monitor. Between runs that keep the same nodes, the cluster is
// reconfigured over HTTP (PUT /v1/config) instead of restarted: models stay loaded. Where the processes
// run and which addresses they get is the NodeHost's business: loopback (backend local) or a network
// namespace per node (backend netns).

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgebench/experiment.hpp"
#include "runner/child_process.hpp"
#include "runner/node_host.hpp"

namespace edgebench::detail {

struct ClusterOptions {
    std::filesystem::path directory;  ///< nodes/<name>/ go here
    double monitor_period_s = 1.0;
    double start_timeout_s = 180.0;  ///< loading a large model can take a while
};

struct ClusterNode {
    std::string name;
    std::string role;  ///< "edge" or "cloud"
    std::string url;
    std::filesystem::path directory;
    std::unique_ptr<ChildProcess> process;
};

class LocalCluster {
public:
    /// Starts the cloud and the edges of `run`, configured for it, where `host` places them (null: on
    /// loopback). Throws `Error` (with the node's last log lines) when a node does not come up.
    LocalCluster(const RunConfig& run, ClusterOptions options, std::unique_ptr<NodeHost> host = nullptr);
    ~LocalCluster();

    /// Whether `run` can be served by reconfiguring these nodes (same backend and edges, enough workers).
    bool can_serve(const RunConfig& run) const;
    /// Applies `run`'s settings to every node (cloud first). Throws `Error` naming the node and the
    /// problem, e.g. a model that fails to load.
    void configure(const RunConfig& run);
    /// Throws `Error` when a node has exited or does not answer.
    void check_alive();
    /// Whether every node runs and answers.
    bool healthy() noexcept;
    /// Asks every node to take a hardware sample now, so that a run shorter than the monitoring period
    /// still has one per node. A node that cannot is skipped: check_alive() reports dead nodes.
    void sample_hardware() noexcept;
    void stop();

    std::vector<std::string> edge_urls() const;
    const std::vector<std::unique_ptr<ClusterNode>>& nodes() const noexcept { return nodes_; }
    const NodeHost& host() const noexcept { return *host_; }

    /// Worker threads a node needs for `run` (each keep-alive connection holds one).
    static int edge_workers(const RunConfig& run);

private:
    void start_node(std::size_t index, ClusterNode& node, const std::filesystem::path& program,
                    const std::string& config_json, int workers);
    ClusterOptions options_;
    // Declared before the nodes: the processes stop before their namespaces and links go.
    std::unique_ptr<NodeHost> host_;
    std::size_t edge_count_ = 0;
    int workers_ = 0;
    std::vector<std::unique_ptr<ClusterNode>> nodes_;  // cloud first
};

/// The JSON configuration (as PUT /v1/config takes it) of edge `index` and of the cloud for `run`. The
/// edge emulates `in_process_link` itself when given (what the kernel does not), else the run's link.
std::string edge_config_json(const RunConfig& run, std::size_t index, const std::string& cloud_url,
                             const std::optional<LinkProfile>& in_process_link = std::nullopt);
std::string cloud_config_json(const RunConfig& run);

}  // namespace edgebench::detail
