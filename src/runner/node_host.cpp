#include "runner/node_host.hpp"

#include <nlohmann/json.hpp>

namespace edgebench::detail {

std::string LoopbackHost::describe(const RunConfig& run) const {
    nlohmann::json links = nlohmann::json::array();
    for (const auto& edge : run.edges) {
        links.push_back({{"edge", edge.name},
                         {"profile", edge.link.to_string()},
                         {"bandwidth_by", edge.link.bandwidth_mbps > 0 ? "edgebench-edge (in-process)" : "none"},
                         {"latency_by", edge.link.latency_ms > 0 ? "edgebench-edge (in-process)" : "none"}});
    }
    return nlohmann::json({{"backend", "local"}, {"addresses", "127.0.0.1"}, {"links", links}}).dump();
}

}  // namespace edgebench::detail
