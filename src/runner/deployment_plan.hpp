#pragma once
// What every container of a run runs, independent of whether compose or Kubernetes starts it: each node's
// program, environment and JSON settings, and the workload client's command line. The writers decide the
// names the containers reach each other by and where files appear inside them (ContainerLayout).

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "edgebench/experiment.hpp"

namespace edgebench::detail {

struct ContainerLayout {
    std::function<std::string(const std::string& node)> host_of;  ///< DNS name of node "cloud", "edge-1", ...
    /// Where a model file (host path) is inside the containers.
    std::function<std::string(const std::filesystem::path& model)> model_path;
    std::string config_file = "/etc/edgebench/node.json";
    std::string instances_file = "/etc/edgebench/instances.json";
    std::string images_dir = "/data/images";
    std::string results_dir = "/results";
    int port = 8080;
    double monitor_period_s = 1.0;
};

struct NodePlan {
    std::string name;     ///< "cloud", or the edge's name
    std::string role;     ///< "cloud" or "edge"
    std::string program;  ///< edgebench-cloud or edgebench-edge
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> environment;  ///< EDGEBENCH_* settings
    std::string config_json;                                       ///< the same settings, complete
    std::vector<std::filesystem::path> models;                     ///< model files (host paths) it loads
};

struct RunPlan {
    std::vector<NodePlan> nodes;  ///< the cloud, then the edges
    std::vector<std::string> edge_urls;
    std::vector<std::string> workload_args;  ///< after "edgebench-workload"
};

RunPlan plan_run(const RunConfig& run, const ContainerLayout& layout);

/// The model file a detector spec names (torchscript:PATH, onnx:FAMILY:PATH); empty when none.
std::filesystem::path model_file_of(const std::string& spec);
/// `spec` with its model file replaced by `path`.
std::string with_model_path(const std::string& spec, const std::string& path);

/// A DNS-1123 label from `text`: lowercase letters, digits and '-', at most `limit` characters.
std::string dns_label(const std::string& text, std::size_t limit = 63);

}  // namespace edgebench::detail
