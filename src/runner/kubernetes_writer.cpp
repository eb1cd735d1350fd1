// write_kubernetes_files(): per run, ConfigMaps with each node's settings and the run's images, a
// results volume, a Deployment and a Service per node (edges pinned to nodes labelled
// edgebench.io/role=edge), and a Job for the workload client; plus the shared data volume.

#include <map>

#include "edgebench/deployment.hpp"
#include "edgebench/error.hpp"
#include "edgebench/version.hpp"
#include "internal/file_io.hpp"
#include "runner/deployment_common.hpp"
#include "runner/deployment_plan.hpp"
#include "runner/system_command.hpp"
#include "runner/yaml_text.hpp"

namespace edgebench {
namespace {

using detail::emit_text;
using detail::emit_texts;
using Labels = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kDataClaim = "edgebench-data";
constexpr const char* kFilesPod = "edgebench-files";
constexpr const char* kEdgeNodeLabel = "edgebench.io/role";

void emit_map(YAML::Emitter& out, const Labels& entries) {
    out << YAML::BeginMap;
    for (const auto& [key, value] : entries) {
        out << YAML::Key << key << YAML::Value;
        emit_text(out, value);
    }
    out << YAML::EndMap;
}

void emit_metadata(YAML::Emitter& out, const std::string& name, const Labels& labels) {
    out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name
        << YAML::Key << "labels" << YAML::Value;
    emit_map(out, labels);
    out << YAML::EndMap;
}

std::string document(const YAML::Emitter& out, const std::string& what) {
    if (!out.good()) throw Error("cannot write the manifest: " + out.GetLastError(), what);
    return std::string(out.c_str()) + "\n";
}

struct Mount {
    std::string volume;
    std::string path;
    std::string sub_path;
    bool read_only = false;
};

void emit_mounts(YAML::Emitter& out, const std::vector<Mount>& mounts) {
    out << YAML::Key << "volumeMounts" << YAML::Value << YAML::BeginSeq;
    for (const auto& m : mounts) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << m.volume << YAML::Key << "mountPath" << YAML::Value;
        emit_text(out, m.path);
        if (!m.sub_path.empty()) {
            out << YAML::Key << "subPath" << YAML::Value;
            emit_text(out, m.sub_path);
        }
        if (m.read_only) out << YAML::Key << "readOnly" << YAML::Value << true;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

// volumes: name -> configMap NAME | claim NAME (read-only or not).
struct Volume {
    std::string name;
    std::string config_map;
    std::string claim;
    bool read_only = false;
};

void emit_volumes(YAML::Emitter& out, const std::vector<Volume>& volumes) {
    out << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq;
    for (const auto& v : volumes) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << v.name;
        if (!v.config_map.empty()) {
            out << YAML::Key << "configMap" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value
                << v.config_map << YAML::EndMap;
        } else {
            out << YAML::Key << "persistentVolumeClaim" << YAML::Value << YAML::BeginMap << YAML::Key << "claimName"
                << YAML::Value << v.claim;
            if (v.read_only) out << YAML::Key << "readOnly" << YAML::Value << true;
            out << YAML::EndMap;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

std::string config_map(const std::string& name, const Labels& labels, const std::string& key, const std::string& text) {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind" << YAML::Value
        << "ConfigMap";
    emit_metadata(out, name, labels);
    out << YAML::Key << "data" << YAML::Value << YAML::BeginMap << YAML::Key << key << YAML::Value << YAML::Literal
        << text << YAML::EndMap << YAML::EndMap;
    return document(out, name);
}

std::string claim(const std::string& name, const Labels& labels, const std::string& size, const std::string& comment) {
    YAML::Emitter out;
    out << YAML::Comment(comment);
    out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind" << YAML::Value
        << "PersistentVolumeClaim";
    emit_metadata(out, name, labels);
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap << YAML::Key << "accessModes" << YAML::Value;
    emit_texts(out, {"ReadWriteMany"});
    out << YAML::Key << "resources" << YAML::Value << YAML::BeginMap << YAML::Key << "requests" << YAML::Value
        << YAML::BeginMap << YAML::Key << "storage" << YAML::Value << size << YAML::EndMap << YAML::EndMap << YAML::EndMap
        << YAML::EndMap;
    return document(out, name);
}

// A pod that only holds a volume, so that kubectl cp can copy files in and out of it.
std::string holder_pod(const std::string& name, const Labels& labels, const std::string& image, const std::string& claim_name,
                       const std::string& path) {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind" << YAML::Value << "Pod";
    emit_metadata(out, name, labels);
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap << YAML::Key << "containers" << YAML::Value
        << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "files" << YAML::Key << "image"
        << YAML::Value << image << YAML::Key << "imagePullPolicy" << YAML::Value << "IfNotPresent" << YAML::Key
        << "command" << YAML::Value;
    emit_texts(out, {"sleep", "infinity"});
    emit_mounts(out, {{"files", path, "", false}});
    out << YAML::EndMap << YAML::EndSeq;
    emit_volumes(out, {{"files", "", claim_name, false}});
    out << YAML::EndMap << YAML::EndMap;
    return document(out, name);
}

// Where a dataset's images go on the data volume: datasets/<key>/images.
std::string dataset_key(const std::filesystem::path& images_dir) {
    const auto name = images_dir.filename().string();
    return detail::dns_label(name == "images" && images_dir.has_parent_path() ? images_dir.parent_path().filename().string()
                                                                               : name);
}

}  // namespace

DeploymentFiles write_kubernetes_files(const Experiment& experiment, const DeploymentOptions& options) {
    if (options.out_dir.empty()) throw Error("an output folder is needed", "out");
    DeploymentFiles files;
    files.directory = std::filesystem::absolute(options.out_dir / "kubernetes").lexically_normal();
    const std::string image = detail::deployment_image(options);
    detail::DatasetCache datasets(std::filesystem::absolute(options.out_dir / "datasets"));
    const Labels common = {{"app.kubernetes.io/name", "edgebench"},
                           {"edgebench.io/experiment", detail::dns_label(experiment.name())}};

    // The shared data volume and the pod that copies files onto it.
    const Labels data_labels = {common[0], {"app.kubernetes.io/component", "data"}};
    detail::write_deployment_file(
        files, files.directory / "data.yaml",
        detail::yaml_comment_block({"Generated by edgebench " + std::string(kVersion) + ": the volume every run reads its "
                                    "images (datasets/<key>/images) and models (models/<file>) from, and a pod to "
                                    "copy them in with kubectl cp. Needs a ReadWriteMany storage class."}) +
            claim(kDataClaim, data_labels, "20Gi", "datasets and models for every run") + "---\n" +
            holder_pod(kFilesPod, data_labels, image, kDataClaim, "/data"));

    std::vector<std::string> load_commands;
    std::map<std::filesystem::path, std::string> models;  // host file -> file name on the volume
    std::map<std::filesystem::path, std::string> image_dirs;  // host folder -> key on the volume
    std::vector<std::string> run_commands;
    for (const auto& run : experiment.runs()) {
        const auto dir = files.directory / run.run_id;
        const std::string prefix = detail::dns_label(detail::dns_label(experiment.name(), 24) + "-" + run.run_id, 40);
        const Labels run_labels = {common[0], common[1], {"edgebench.io/run-id", detail::dns_label(run.run_id)}};
        auto labels_for = [&](const std::string& node, const std::string& component) {
            Labels l = run_labels;
            l.emplace_back("app.kubernetes.io/component", component);
            l.emplace_back("edgebench.io/node", detail::dns_label(node));
            return l;
        };
        auto selector_for = [&](const std::string& node) {
            return Labels{run_labels[1], run_labels[2], {"edgebench.io/node", detail::dns_label(node)}};
        };

        // The run's images: their list in a ConfigMap, the files on the data volume.
        const auto instances_file = dir / "instances.json";
        const auto images_dir = detail::write_run_images(datasets, run, instances_file);
        auto [image_entry, new_images] = image_dirs.emplace(images_dir, dataset_key(images_dir));
        if (new_images) {
            load_commands.push_back(detail::shell_quote(
                {"kubectl", "cp", images_dir.string(), std::string(kFilesPod) + ":/data/datasets/" + image_entry->second + "/images"}));
        }

        detail::ContainerLayout layout;
        layout.port = options.port;
        layout.monitor_period_s = options.monitor_period_s;
        layout.images_dir = "/data/datasets/" + image_entry->second + "/images";
        layout.host_of = [&](const std::string& node) { return prefix + "-" + detail::dns_label(node); };
        layout.model_path = [&](const std::filesystem::path& model) {
            auto found = models.find(model);
            if (found == models.end()) {
                std::string name = model.filename().string();
                for (const auto& [path, taken] : models) {
                    if (taken == name) name = std::to_string(models.size()) + "-" + name;
                }
                found = models.emplace(model, name).first;
                load_commands.push_back(
                    detail::shell_quote({"kubectl", "cp", model.string(), std::string(kFilesPod) + ":/data/models/" + name}));
            }
            return "/data/models/" + found->second;
        };
        const detail::RunPlan plan = detail::plan_run(run, layout);
        const std::string results_claim = prefix + "-results";

        // 00: the settings of every node and the run's image list.
        std::string configs;
        for (const auto& node : plan.nodes) {
            configs += config_map(layout.host_of(node.name) + "-config", labels_for(node.name, node.role), "node.json",
                                  node.config_json + "\n") +
                       "---\n";
        }
        const std::string instances = detail::read_file_text(instances_file);
        if (instances.size() > 900 * 1024) {
            files.notes.push_back(run.run_id + ": its image list is " + std::to_string(instances.size() / 1024) +
                                  " KiB, near the 1 MiB limit of a ConfigMap; use fewer images per run");
        }
        configs += config_map(prefix + "-workload-config", labels_for("workload", "workload"), "instances.json", instances);
        std::filesystem::remove(instances_file);  // it travels inside the ConfigMap
        detail::write_deployment_file(files, dir / "00-config.yaml", configs);

        // 01: the results volume (a folder per node) and a pod to copy them out of it.
        detail::write_deployment_file(
            files, dir / "01-results.yaml",
            claim(results_claim, labels_for("results", "results"), "1Gi",
                  "results of " + run.run_id + ": results/<node>/ per node; needs a ReadWriteMany storage class") +
                "---\n" + holder_pod(results_claim, labels_for("results", "results"), image, results_claim, "/results"));

        // 10, 20, ...: a Deployment and a Service per node.
        int order = 10;
        for (const auto& node : plan.nodes) {
            const std::string name = layout.host_of(node.name);
            const Labels labels = labels_for(node.name, node.role);
            const Labels selector = selector_for(node.name);
            const bool uses_models = !node.models.empty();
            YAML::Emitter out;
            out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "apps/v1" << YAML::Key << "kind"
                << YAML::Value << "Deployment";
            emit_metadata(out, name, labels);
            out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap << YAML::Key << "replicas" << YAML::Value << 1;
            out << YAML::Key << "selector" << YAML::Value << YAML::BeginMap << YAML::Key << "matchLabels" << YAML::Value;
            emit_map(out, selector);
            out << YAML::EndMap;
            out << YAML::Key << "template" << YAML::Value << YAML::BeginMap << YAML::Key << "metadata" << YAML::Value
                << YAML::BeginMap << YAML::Key << "labels" << YAML::Value;
            emit_map(out, labels);
            out << YAML::EndMap << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
            if (node.role == "edge") {
                // Edges run on the machines that play edges: label them edgebench.io/role=edge.
                out << YAML::Key << "nodeSelector" << YAML::Value;
                emit_map(out, {{kEdgeNodeLabel, "edge"}});
            }
            out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
            out << YAML::Key << "name" << YAML::Value << node.role << YAML::Key << "image" << YAML::Value << image
                << YAML::Key << "imagePullPolicy" << YAML::Value << "IfNotPresent";
            out << YAML::Key << "command" << YAML::Value;
            emit_texts(out, {node.program});
            out << YAML::Key << "args" << YAML::Value;
            emit_texts(out, node.args);
            out << YAML::Key << "env" << YAML::Value << YAML::BeginSeq;
            for (const auto& [key, value] : node.environment) {
                out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << key << YAML::Key << "value" << YAML::Value;
                emit_text(out, value);
                out << YAML::EndMap;
            }
            out << YAML::EndSeq;
            out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
                << YAML::Value << "http" << YAML::Key << "containerPort" << YAML::Value << options.port << YAML::EndMap
                << YAML::EndSeq;
            out << YAML::Key << "readinessProbe" << YAML::Value << YAML::BeginMap << YAML::Key << "httpGet" << YAML::Value
                << YAML::BeginMap << YAML::Key << "path" << YAML::Value << "/healthz" << YAML::Key << "port" << YAML::Value
                << "http" << YAML::EndMap << YAML::Key << "periodSeconds" << YAML::Value << 2 << YAML::EndMap;
            std::vector<Mount> mounts = {{"config", layout.config_file, "node.json", true},
                                         {"results", layout.results_dir, detail::dns_label(node.name), false}};
            if (uses_models) mounts.push_back({"data", "/data", "", true});
            emit_mounts(out, mounts);
            out << YAML::EndMap << YAML::EndSeq;
            std::vector<Volume> volumes = {{"config", name + "-config", "", false}, {"results", "", results_claim, false}};
            if (uses_models) volumes.push_back({"data", "", kDataClaim, true});
            emit_volumes(out, volumes);
            out << YAML::EndMap << YAML::EndMap << YAML::EndMap << YAML::EndMap;

            YAML::Emitter service;
            service << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind"
                    << YAML::Value << "Service";
            emit_metadata(service, name, labels);
            service << YAML::Key << "spec" << YAML::Value << YAML::BeginMap << YAML::Key << "selector" << YAML::Value;
            emit_map(service, selector);
            service << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
                    << YAML::Value << "http" << YAML::Key << "port" << YAML::Value << options.port << YAML::Key
                    << "targetPort" << YAML::Value << "http" << YAML::EndMap << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
            detail::write_deployment_file(files, dir / (std::to_string(order) + "-" + detail::dns_label(node.name) + ".yaml"),
                                          document(out, name) + "---\n" + document(service, name));
            order += 10;
        }

        // The workload: a Job that waits for every edge to answer, then drives the run's images through them.
        {
            const std::string name = prefix + "-workload";
            const Labels labels = labels_for("workload", "workload");
            std::string wait = "until";
            for (std::size_t e = 0; e < plan.edge_urls.size(); ++e) {
                wait += std::string(e ? " &&" : "") + " curl -fsS " + plan.edge_urls[e] + "/healthz >/dev/null";
            }
            wait += "; do sleep 2; done";
            YAML::Emitter out;
            out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "batch/v1" << YAML::Key << "kind"
                << YAML::Value << "Job";
            emit_metadata(out, name, labels);
            out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap << YAML::Key << "backoffLimit" << YAML::Value << 0;
            out << YAML::Key << "template" << YAML::Value << YAML::BeginMap << YAML::Key << "metadata" << YAML::Value
                << YAML::BeginMap << YAML::Key << "labels" << YAML::Value;
            emit_map(out, labels);
            out << YAML::EndMap << YAML::Key << "spec" << YAML::Value << YAML::BeginMap << YAML::Key << "restartPolicy"
                << YAML::Value << "Never";
            out << YAML::Key << "initContainers" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
                << YAML::Value << "wait-for-edges" << YAML::Key << "image" << YAML::Value << image << YAML::Key
                << "imagePullPolicy" << YAML::Value << "IfNotPresent" << YAML::Key << "command" << YAML::Value;
            emit_texts(out, {"sh", "-c", wait});
            out << YAML::EndMap << YAML::EndSeq;
            out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
                << YAML::Value << "workload" << YAML::Key << "image" << YAML::Value << image << YAML::Key
                << "imagePullPolicy" << YAML::Value << "IfNotPresent" << YAML::Key << "command" << YAML::Value;
            emit_texts(out, {"edgebench-workload"});
            out << YAML::Key << "args" << YAML::Value;
            emit_texts(out, plan.workload_args);
            emit_mounts(out, {{"config", layout.instances_file, "instances.json", true},
                              {"data", "/data", "", true},
                              {"results", layout.results_dir, "workload", false}});
            out << YAML::EndMap << YAML::EndSeq;
            emit_volumes(out, {{"config", prefix + "-workload-config", "", false},
                               {"data", "", kDataClaim, true},
                               {"results", "", results_claim, false}});
            out << YAML::EndMap << YAML::EndMap << YAML::EndMap << YAML::EndMap;
            detail::write_deployment_file(files, dir / (std::to_string(order) + "-workload.yaml"), document(out, name));
        }

        files.run_ids.push_back(run.run_id);
        files.run_files.push_back(dir);
        const std::string d = dir.string() + "/";
        run_commands.push_back(detail::shell_quote({"kubectl", "apply", "-f", d}));
        run_commands.push_back(detail::shell_quote(
            {"kubectl", "wait", "--for=condition=complete", "job/" + prefix + "-workload", "--timeout=24h"}));
        run_commands.push_back(detail::shell_quote({"kubectl", "cp", results_claim + ":/results", (dir / "results").string()}));
        run_commands.push_back(detail::shell_quote({"kubectl", "delete", "-f", d}));
    }

    files.commands.push_back("kubectl label node EDGE_NODE " + std::string(kEdgeNodeLabel) +
                             "=edge   # once for every machine that plays an edge");
    files.commands.push_back(detail::shell_quote({"kubectl", "apply", "-f", (files.directory / "data.yaml").string()}));
    files.commands.push_back(
        detail::shell_quote({"kubectl", "wait", "--for=condition=Ready", std::string("pod/") + kFilesPod, "--timeout=10m"}));
    files.commands.push_back(
        detail::shell_quote({"kubectl", "exec", kFilesPod, "--", "mkdir", "-p", "/data/datasets", "/data/models"}));
    files.commands.insert(files.commands.end(), load_commands.begin(), load_commands.end());
    files.commands.insert(files.commands.end(), run_commands.begin(), run_commands.end());
    files.notes.push_back("the image " + image + " must be pullable by the cluster (push it to a registry and pass "
                          "--image, or load it into each node)");
    files.notes.push_back("edges run only on nodes labelled " + std::string(kEdgeNodeLabel) + "=edge");
    files.notes.push_back("the volumes need a ReadWriteMany storage class (e.g. NFS); set storageClassName in "
                          "data.yaml and <run>/01-results.yaml if it is not the default");
    files.notes.push_back("links are emulated inside each edge (EDGEBENCH_BANDWIDTH_MBPS, EDGEBENCH_LATENCY_MS)");

    std::string readme = "# edgebench Kubernetes manifests: experiment " + experiment.name() + "\n\nGenerated by edgebench " +
                         kVersion +
                         ". `data.yaml` holds the shared volume `" + kDataClaim + "` (datasets/<key>/images, "
                         "models/<file>) and the pod `" + kFilesPod + "` to copy files onto it. Each run's folder holds "
                         "its ConfigMaps (node settings as `node.json`, the workload's `instances.json`), a results "
                         "volume with a pod to copy results out, a Deployment and a Service per node (edges pinned with "
                         "`nodeSelector: {" + kEdgeNodeLabel + ": edge}`) and the workload Job. Every object carries "
                         "the labels `edgebench.io/experiment` and `edgebench.io/run-id`.\n\nNotes:\n\n";
    for (const auto& note : files.notes) readme += "- " + note + "\n";
    readme += "\nCommands, in order:\n\n```sh\n";
    for (const auto& command : files.commands) readme += command + "\n";
    readme += "```\n";
    detail::write_deployment_file(files, files.directory / "README.md", readme);
    return files;
}

}  // namespace edgebench
