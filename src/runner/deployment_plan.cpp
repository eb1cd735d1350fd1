#include "runner/deployment_plan.hpp"

#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "runner/local_cluster.hpp"

namespace edgebench::detail {
namespace {

std::string number_text(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

// The schedule as edgebench-workload flags.
std::vector<std::string> schedule_args(const Schedule& s) {
    std::vector<std::string> args = {"--schedule", to_string(s.kind)};
    switch (s.kind) {
        case Schedule::Kind::RoundRobin:
            args.insert(args.end(), {"--images-per-edge", std::to_string(s.images_per_edge), "--repeats", std::to_string(s.repeats)});
            if (s.distinct_images) args.emplace_back("--distinct");
            break;
        case Schedule::Kind::ClosedLoop:
            args.insert(args.end(), {"--concurrency", std::to_string(s.concurrency)});
            if (s.requests > 0) args.insert(args.end(), {"--requests", std::to_string(s.requests)});
            break;
        case Schedule::Kind::OpenLoop:
            args.insert(args.end(), {"--rate", number_text(s.rate), "--seed", std::to_string(s.seed)});
            if (s.requests > 0) args.insert(args.end(), {"--requests", std::to_string(s.requests)});
            else if (s.duration_s > 0) args.insert(args.end(), {"--duration", number_text(s.duration_s)});
            break;
    }
    return args;
}

}  // namespace

std::filesystem::path model_file_of(const std::string& spec) {
    if (spec.rfind("torchscript:", 0) == 0) return spec.substr(12);
    if (spec.rfind("onnx:", 0) == 0) {
        const auto colon = spec.find(':', 5);
        if (colon != std::string::npos) return spec.substr(colon + 1);
    }
    return {};
}

std::string with_model_path(const std::string& spec, const std::string& path) {
    if (spec.rfind("torchscript:", 0) == 0) return "torchscript:" + path;
    if (spec.rfind("onnx:", 0) == 0) {
        const auto colon = spec.find(':', 5);
        if (colon != std::string::npos) return spec.substr(0, colon + 1) + path;
    }
    return spec;
}

std::string dns_label(const std::string& text, std::size_t limit) {
    std::string label;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        const char mapped = std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
        if (mapped == '-' && (label.empty() || label.back() == '-')) continue;
        label += mapped;
    }
    if (label.size() > limit) label.resize(limit);
    while (!label.empty() && label.back() == '-') label.pop_back();
    return label.empty() ? "x" : label;
}

RunPlan plan_run(const RunConfig& run, const ContainerLayout& layout) {
    using nlohmann::json;
    RunPlan plan;
    const std::string port = std::to_string(layout.port);
    const int edge_workers = LocalCluster::edge_workers(run);
    auto container_spec = [&](const std::string& spec, NodePlan& node) {
        const auto model = model_file_of(spec);
        if (model.empty()) return spec;
        node.models.push_back(model);
        return with_model_path(spec, layout.model_path(model));
    };
    auto server_environment = [&](NodePlan& node, int workers) {
        node.environment = {{"EDGEBENCH_HOST", "0.0.0.0"},
                            {"EDGEBENCH_PORT", port},
                            {"EDGEBENCH_OUT", layout.results_dir},
                            {"EDGEBENCH_WORKERS", std::to_string(workers)},
                            {"EDGEBENCH_MONITOR_PERIOD", number_text(layout.monitor_period_s)}};
    };
    auto settings_environment = [&](NodePlan& node, const json& config) {
        node.environment.emplace_back("EDGEBENCH_NAME", config.at("name").get<std::string>());
        node.environment.emplace_back("EDGEBENCH_DETECTOR", config.at("detector").get<std::string>());
        if (node.role == "edge") {
            node.environment.emplace_back("EDGEBENCH_PREPROCESS", config.at("preprocess").get<std::string>());
            node.environment.emplace_back("EDGEBENCH_CLOUD_URL", config.at("cloud_url").get<std::string>());
            node.environment.emplace_back("EDGEBENCH_FORWARD_TIMEOUT", number_text(config.at("forward_timeout_s").get<double>()));
            // Containers get no kernel link shaping from compose or Kubernetes: the edge emulates it.
            node.environment.emplace_back("EDGEBENCH_BANDWIDTH_MBPS", number_text(config["link"]["bandwidth_mbps"].get<double>()));
            node.environment.emplace_back("EDGEBENCH_LATENCY_MS", number_text(config["link"]["latency_ms"].get<double>()));
        }
        node.environment.emplace_back("EDGEBENCH_IOU", number_text(config.at("iou_threshold").get<double>()));
        node.environment.emplace_back("EDGEBENCH_SCORE", number_text(config.at("score_threshold").get<double>()));
        node.environment.emplace_back("EDGEBENCH_RUN_ID", run.run_id);
    };

    NodePlan cloud;
    cloud.name = "cloud";
    cloud.role = "cloud";
    cloud.program = "edgebench-cloud";
    cloud.args = {"--config", layout.config_file};
    json cloud_config = json::parse(cloud_config_json(run));
    cloud_config["detector"] = container_spec(cloud_config["detector"].get<std::string>(), cloud);
    cloud.config_json = cloud_config.dump(2);
    server_environment(cloud, static_cast<int>(run.edges.size()) * edge_workers + 2);
    settings_environment(cloud, cloud_config);
    plan.nodes.push_back(std::move(cloud));

    const std::string cloud_url = "http://" + layout.host_of("cloud") + ":" + port;
    for (std::size_t i = 0; i < run.edges.size(); ++i) {
        NodePlan edge;
        edge.name = run.edges[i].name;
        edge.role = "edge";
        edge.program = "edgebench-edge";
        edge.args = {"--config", layout.config_file};
        json config = json::parse(edge_config_json(run, i, cloud_url));
        config["detector"] = container_spec(config["detector"].get<std::string>(), edge);
        edge.config_json = config.dump(2);
        server_environment(edge, edge_workers);
        settings_environment(edge, config);
        plan.edge_urls.push_back("http://" + layout.host_of(edge.name) + ":" + port);
        plan.nodes.push_back(std::move(edge));
    }

    auto& w = plan.workload_args;
    for (const auto& url : plan.edge_urls) w.insert(w.end(), {"--edge", url});
    w.insert(w.end(), {"--dataset", layout.instances_file, "--images", layout.images_dir});
    const auto schedule = schedule_args(run.workload.schedule);
    w.insert(w.end(), schedule.begin(), schedule.end());
    w.insert(w.end(), {"--warmup", std::to_string(run.workload.warmup), "--format", to_string(run.workload.format),
                       "--timeout", number_text(run.workload.timeout_s), "--run-id", run.run_id, "--out", layout.results_dir});
    return plan;
}

}  // namespace edgebench::detail
