#include "runner/netns_host.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "runner/address_pool.hpp"

namespace edgebench::detail {
namespace {

constexpr const char* kRootSide = "eb-root";   // a node's end of its root link
constexpr const char* kCloudSide = "eb-cloud";  // an edge's end of its cloud link

std::string cloud_side_name(std::size_t edge) { return "eb-e" + std::to_string(edge + 1); }

std::string format_number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
}

}  // namespace

NetnsSession::NetnsSession(const std::filesystem::path& out_dir, NetnsSupport support) : support_(std::move(support)) {
    if (!support_.available) throw Error(support_.reason, "backend");
    // A fresh id no namespace of this host carries yet.
    std::string id;
    for (int attempt = 0; attempt < 16 && id.empty(); ++attempt) {
        id = new_netns_sweep_id();
        for (const auto& name : tools_.namespaces()) {
            if (sweep_of_namespace(name) == id) id.clear();
        }
    }
    if (id.empty()) throw Error("cannot find an unused netns sweep id", "backend");
    ledger_ = std::make_unique<NetnsLedger>(out_dir, id);
}

NetnsHost::NetnsHost(const RunConfig& run, NetnsSession& session) : session_(session) {
    const auto& tools = session_.tools();
    const std::string& id = session_.sweep_id();
    node_names_.push_back("cloud");
    for (const auto& edge : run.edges) node_names_.push_back(edge.name);
    try {
        std::set<std::string> taken;
        for (std::size_t k = 0; k < node_names_.size(); ++k) {
            std::string name = netns_namespace_name(id, node_names_[k]);
            if (!taken.insert(name).second) {
                name.append(1, '-').append(std::to_string(k));  // (not "-" + ...: GCC 12 -Wrestrict false alarm)
                taken.insert(name);
            }
            namespaces_.push_back(std::make_unique<NetworkNamespace>(tools, session_.ledger(), name));
        }
        // Held until every address is assigned: another sweep's scan must see them.
        AddressAllocator addresses(tools);
        for (std::size_t k = 0; k < node_names_.size(); ++k) {
            const std::string& ns = namespaces_[k]->name();
            const Subnet30 subnet = addresses.next();
            const std::string root_name = netns_root_link_name(id, k);
            links_.push_back(std::make_unique<VethPair>(tools, session_.ledger(), "", root_name, ns, kRootSide));
            tools.ip_run({"addr", "add", subnet.cidr(1), "dev", root_name});
            tools.ip_run({"link", "set", root_name, "up"});
            tools.ip_run({"-n", ns, "addr", "add", subnet.cidr(2), "dev", kRootSide});
            tools.ip_run({"-n", ns, "link", "set", kRootSide, "up"});
            root_link_names_.push_back(root_name);
            client_addresses_.push_back(subnet.host(2));
        }
        const std::string& cloud_ns = namespaces_.front()->name();
        for (std::size_t e = 0; e < run.edges.size(); ++e) {
            const std::string& edge_ns = namespaces_[e + 1]->name();
            const Subnet30 subnet = addresses.next();
            links_.push_back(std::make_unique<VethPair>(tools, session_.ledger(), edge_ns, kCloudSide, cloud_ns,
                                                        cloud_side_name(e)));
            tools.ip_run({"-n", edge_ns, "addr", "add", subnet.cidr(1), "dev", kCloudSide});
            tools.ip_run({"-n", edge_ns, "link", "set", kCloudSide, "up"});
            tools.ip_run({"-n", cloud_ns, "addr", "add", subnet.cidr(2), "dev", cloud_side_name(e)});
            tools.ip_run({"-n", cloud_ns, "link", "set", cloud_side_name(e), "up"});
            edge_link_addresses_.push_back(subnet.host(1));
            cloud_link_addresses_.push_back(subnet.host(2));
        }
        shaped_.assign(run.edges.size(), LinkProfile{});
        shaped_once_.assign(run.edges.size(), false);
        shape_links(run);
    } catch (...) {
        links_.clear();
        namespaces_.clear();
        throw;
    }
}

NetnsHost::~NetnsHost() {
    links_.clear();
    namespaces_.clear();
}

std::vector<std::string> NetnsHost::launch_prefix(std::size_t node) const {
    return {session_.tools().ip().string(), "netns", "exec", namespaces_.at(node)->name()};
}

std::string NetnsHost::listen_address(std::size_t node) const {
    // The cloud answers every edge on that edge's own link and the runner on its root link: all of its
    // namespace's addresses, and its namespace holds nothing else.
    return node == 0 ? "0.0.0.0" : client_addresses_.at(node);
}

std::string NetnsHost::client_address(std::size_t node) const { return client_addresses_.at(node); }

std::string NetnsHost::cloud_address_for_edge(std::size_t edge) const { return cloud_link_addresses_.at(edge); }

LinkProfile NetnsHost::in_process_link(const LinkProfile& link) const {
    LinkProfile rest = link;
    if (session_.support().bandwidth_qdisc) rest.bandwidth_mbps = 0;
    if (session_.support().netem) rest.latency_ms = 0;
    return rest;
}

void NetnsHost::shape_device(const std::string& ns, const std::string& device, double bandwidth_mbps, double latency_ms) {
    const auto& tools = session_.tools();
    // Start from the default qdisc: changing one kind of root qdisc into another is not always allowed.
    tools.tc_try({"-n", ns, "qdisc", "del", "dev", device, "root"});
    const bool shape_bandwidth = bandwidth_mbps > 0 && session_.support().bandwidth_qdisc;
    const bool add_delay = latency_ms > 0 && session_.support().netem;
    if (shape_bandwidth) {
        // tbf rather than htb: measured on veth here, htb let a 100 kB transfer through at 10 Mbit/s in about
        // 50 ms instead of 80 (its bursts), tbf with a small bucket took 80 ms. The bucket holds 4 ms of the
        // rate (enough for a 250 Hz timer), at least a few packets; the queue holds up to 1 s of data.
        const double bytes_per_s = bandwidth_mbps * 1e6 / 8.0;
        const double burst = std::max(5000.0, std::ceil(bytes_per_s * 0.004));
        tools.tc_run({"-n", ns, "qdisc", "add", "dev", device, "root", "handle", "1:", "tbf", "rate",
                      format_number(std::round(bandwidth_mbps * 1e6)) + "bit", "burst", format_number(burst) + "b",
                      "latency", "1s"});
    }
    if (add_delay) {
        const std::string delay = format_number(latency_ms) + "ms";
        if (shape_bandwidth) {
            tools.tc_run({"-n", ns, "qdisc", "add", "dev", device, "parent", "1:1", "handle", "10:", "netem", "delay",
                          delay, "limit", "100000"});
        } else {
            tools.tc_run({"-n", ns, "qdisc", "add", "dev", device, "root", "handle", "1:", "netem", "delay", delay,
                          "limit", "100000"});
        }
    }
}

void NetnsHost::shape_links(const RunConfig& run) {
    const std::string& cloud_ns = namespaces_.front()->name();
    for (std::size_t e = 0; e < run.edges.size() && e < shaped_.size(); ++e) {
        const LinkProfile& link = run.edges[e].link;
        if (shaped_once_[e] && shaped_[e] == link) continue;  // keep the queues when nothing changed
        // The edge's egress carries the images (bandwidth, and latency: the one-way delay of a forward, as
        // the in-process emulation adds it); the cloud's egress carries the answers (bandwidth only).
        shape_device(namespaces_[e + 1]->name(), kCloudSide, link.bandwidth_mbps, link.latency_ms);
        shape_device(cloud_ns, cloud_side_name(e), link.bandwidth_mbps, 0);
        shaped_[e] = link;
        shaped_once_[e] = true;
    }
}

std::string NetnsHost::describe(const RunConfig& run) const {
    using nlohmann::json;
    const auto& support = session_.support();
    json nodes = json::array();
    for (std::size_t k = 0; k < node_names_.size(); ++k) {
        nodes.push_back({{"name", node_names_[k]},
                         {"namespace", namespaces_[k]->name()},
                         {"address", client_addresses_[k]},
                         {"root_link", root_link_names_[k]}});
    }
    json links = json::array();
    for (std::size_t e = 0; e < run.edges.size() && e < edge_link_addresses_.size(); ++e) {
        const LinkProfile& link = run.edges[e].link;
        const std::string bandwidth_by = link.bandwidth_mbps <= 0 ? "none"
                                         : support.bandwidth_qdisc ? "tc tbf (both directions)"
                                                                   : "edgebench-edge (in-process)";
        const std::string latency_by = link.latency_ms <= 0 ? "none"
                                       : support.netem       ? "tc netem (edge to cloud)"
                                                             : "edgebench-edge (in-process)";
        links.push_back({{"edge", run.edges[e].name},
                         {"profile", link.to_string()},
                         {"edge_address", edge_link_addresses_[e]},
                         {"cloud_address", cloud_link_addresses_[e]},
                         {"bandwidth_by", bandwidth_by},
                         {"latency_by", latency_by}});
    }
    return json({{"backend", "netns"},
                 {"sweep_id", session_.sweep_id()},
                 {"netem", support.netem ? std::string("available") : "unavailable (" + support.netem_reason + ")"},
                 {"nodes", nodes},
                 {"links", links}})
        .dump();
}

}  // namespace edgebench::detail
