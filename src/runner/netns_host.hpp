#pragma once
// The netns backend: every node in its own network namespace, the runner (and the workload client) in the
// root namespace.
//
//   root namespace                    ebn-<id>-edge-1                     ebn-<id>-cloud
//   ebn<id>n1 10.201.a.1/30 ──veth── eb-root 10.201.a.2/30
//                                     eb-cloud 10.201.c.1/30 ──veth── eb-e1 10.201.c.2/30
//   ebn<id>n0 10.201.b.1/30 ──veth────────────────────────────────── eb-root 10.201.b.2/30
//
// Each node's root link carries the client's requests and the runner's configuration (unshaped). Each
// edge's link to the cloud carries its forwards and is shaped with tc: tbf at the link's bandwidth on the
// egress of both ends, netem delay on the edge's egress where the kernel has netem. What the kernel
// cannot do, the edge does in-process (its config's link), so that nothing is applied twice.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "edgebench/netns.hpp"
#include "runner/netns_ledger.hpp"
#include "runner/netns_objects.hpp"
#include "runner/netns_tools.hpp"
#include "runner/node_host.hpp"

namespace edgebench::detail {

/// What a netns sweep shares between its clusters: the tools, the probe's findings, the state file.
class NetnsSession {
public:
    /// `support` must be available (probe_netns_support()); the state goes to `out_dir`.
    NetnsSession(const std::filesystem::path& out_dir, NetnsSupport support);

    const NetnsTools& tools() const noexcept { return tools_; }
    NetnsLedger& ledger() noexcept { return *ledger_; }
    const NetnsSupport& support() const noexcept { return support_; }
    const std::string& sweep_id() const noexcept { return ledger_->sweep_id(); }

private:
    NetnsTools tools_;
    NetnsSupport support_;
    std::unique_ptr<NetnsLedger> ledger_;
};

class NetnsHost final : public NodeHost {
public:
    /// Creates the namespaces and links for `run`'s nodes; throws `Error` (removing what it made).
    NetnsHost(const RunConfig& run, NetnsSession& session);
    ~NetnsHost() override;

    LaunchBackend backend() const override { return LaunchBackend::Netns; }
    std::vector<std::string> launch_prefix(std::size_t node) const override;
    std::string listen_address(std::size_t node) const override;
    std::string client_address(std::size_t node) const override;
    std::string cloud_address_for_edge(std::size_t edge) const override;
    LinkProfile in_process_link(const LinkProfile& link) const override;
    void shape_links(const RunConfig& run) override;
    std::string describe(const RunConfig& run) const override;

    const std::string& namespace_of(std::size_t node) const { return namespaces_.at(node)->name(); }

private:
    // Sets the qdiscs of `device` in namespace `ns` for a link of `bandwidth_mbps` and (netem) `latency_ms`.
    void shape_device(const std::string& ns, const std::string& device, double bandwidth_mbps, double latency_ms);

    NetnsSession& session_;
    std::vector<std::string> node_names_;
    std::vector<std::unique_ptr<NetworkNamespace>> namespaces_;  // node order: cloud, edges
    // Declared after the namespaces, so destroyed before them: a root link is deleted explicitly rather
    // than left to the (asynchronous) teardown of its namespace.
    std::vector<std::unique_ptr<VethPair>> links_;
    std::vector<std::string> client_addresses_;      // per node: its end of the root link
    std::vector<std::string> edge_link_addresses_;   // per edge: the edge's end of its cloud link
    std::vector<std::string> cloud_link_addresses_;  // per edge: the cloud's end of that link
    std::vector<std::string> root_link_names_;
    std::vector<LinkProfile> shaped_;                // per edge: what tc was last set to
    std::vector<bool> shaped_once_;
};

}  // namespace edgebench::detail
