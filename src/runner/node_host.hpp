#pragma once
// Where the node processes of a cluster run and which addresses they get: the part that differs between
// the local backend (every node on loopback) and the netns backend (every node in its own network
// namespace, joined by veth links). LocalCluster starts, configures and stops the nodes the same way for
// both and asks its NodeHost the rest. Nodes are numbered 0 (the cloud), then 1..N (the edges, in order).

#include <cstddef>
#include <string>
#include <vector>

#include "edgebench/experiment.hpp"
#include "edgebench/link_profile.hpp"

namespace edgebench::detail {

class NodeHost {
public:
    virtual ~NodeHost() = default;

    virtual LaunchBackend backend() const = 0;
    /// Put before a node's command line (e.g. `ip netns exec NS`); empty to run it as it is.
    virtual std::vector<std::string> launch_prefix(std::size_t node) const = 0;
    /// The address node `node` listens on (its --host).
    virtual std::string listen_address(std::size_t node) const = 0;
    /// The address the runner and the workload client reach node `node` at.
    virtual std::string client_address(std::size_t node) const = 0;
    /// The cloud's address as edge `edge` (0-based) reaches it: over that edge's own link.
    virtual std::string cloud_address_for_edge(std::size_t edge) const = 0;
    /// What the edge process must still emulate itself of `link` (the rest is done by the kernel).
    virtual LinkProfile in_process_link(const LinkProfile& link) const = 0;
    /// Sets up every edge-cloud link for `run` before its nodes are (re)configured.
    virtual void shape_links(const RunConfig& run) = 0;
    /// How `run`'s nodes are placed and its links emulated, as a JSON object (for the result manifest).
    virtual std::string describe(const RunConfig& run) const = 0;
};

/// Every node on 127.0.0.1; each edge emulates its link in-process (bandwidth and latency).
class LoopbackHost final : public NodeHost {
public:
    LaunchBackend backend() const override { return LaunchBackend::Local; }
    std::vector<std::string> launch_prefix(std::size_t) const override { return {}; }
    std::string listen_address(std::size_t) const override { return "127.0.0.1"; }
    std::string client_address(std::size_t) const override { return "127.0.0.1"; }
    std::string cloud_address_for_edge(std::size_t) const override { return "127.0.0.1"; }
    LinkProfile in_process_link(const LinkProfile& link) const override { return link; }
    void shape_links(const RunConfig&) override {}
    std::string describe(const RunConfig& run) const override;
};

}  // namespace edgebench::detail
