// Generated compose files and Kubernetes manifests, parsed back with yaml-cpp and checked for the structure
// that makes them run: services and their images, programs, environment, ports, volumes and networks;
// object kinds, selectors that match labels, edges pinned to edge nodes, the workload Job pointing at the
// edge Services. `docker compose config` validates the compose files too where the client has compose.

#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "edgebench/deployment.hpp"
#include "edgebench/version.hpp"
#include "runner/system_command.hpp"
#include "test_support.hpp"

namespace edgebench::test {
namespace {

using nlohmann::json;

// Two edges with a model file, a cloud detector, a shaped link, and a grid of two runs.
Experiment deployment_experiment(const TempDir& dir) {
    std::filesystem::create_directories(dir / "models");
    write_text(dir / "models" / "m.onnx", "not a real model: only its path matters here");
    write_text(dir / "experiment.yaml",
               "name: Deploy Check\n"
               "dataset:\n  synthetic: {count: 6, seed: 1}\n"
               "images: 4\n"
               "placement: both\n"
               "edges: {count: 2, detector: \"onnx:nanodet:models/m.onnx\", preprocess: \"quality=80\"}\n"
               "cloud: {detector: builtin}\n"
               "network: {bandwidth_mbps: 20, latency_ms: 5}\n"
               "workload: {schedule: closed, concurrency: 2, warmup: 1}\n"
               "backend: compose\n"
               "grid:\n  edges.preprocess.quality: [90, 50]\n");
    return Experiment::load(dir / "experiment.yaml");
}

std::map<std::string, std::string> as_map(const YAML::Node& node) {
    std::map<std::string, std::string> map;
    for (const auto& entry : node) map[entry.first.as<std::string>()] = entry.second.as<std::string>();
    return map;
}

std::vector<std::string> as_list(const YAML::Node& node) {
    std::vector<std::string> list;
    for (const auto& item : node) list.push_back(item.as<std::string>());
    return list;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// The value after `flag` in an argument list ("" when absent).
std::string after(const std::vector<std::string>& args, const std::string& flag) {
    const auto found = std::find(args.begin(), args.end(), flag);
    return found == args.end() || found + 1 == args.end() ? "" : *(found + 1);
}

TEST(ComposeFiles, EveryRunHasItsServicesEnvironmentVolumesAndNetwork) {
    TempDir dir;
    const Experiment experiment = deployment_experiment(dir);
    DeploymentOptions options;
    options.out_dir = dir / "out";
    options.image = "registry.example/edgebench:test";
    options.source_dir = dir.path();
    const DeploymentFiles files = write_compose_files(experiment, options);

    ASSERT_EQ(files.run_ids, (std::vector<std::string>{"run-0001", "run-0002"}));
    const std::string dockerfile = read_text(files.directory / "Dockerfile");
    EXPECT_NE(dockerfile.find("FROM debian:12"), std::string::npos);
    EXPECT_NE(dockerfile.find("scripts/install-deps.sh"), std::string::npos);
    EXPECT_NE(dockerfile.find("cmake --install"), std::string::npos);
    EXPECT_NE(files.commands.front().find("docker build -t registry.example/edgebench:test"), std::string::npos);

    for (std::size_t r = 0; r < files.run_ids.size(); ++r) {
        const auto compose_file = files.run_files[r];
        const auto run_dir = compose_file.parent_path();
        SCOPED_TRACE(compose_file.string());
        const YAML::Node compose = YAML::LoadFile(compose_file.string());
        std::set<std::string> services;
        for (const auto& s : compose["services"]) services.insert(s.first.as<std::string>());
        EXPECT_EQ(services, (std::set<std::string>{"cloud", "edge-1", "edge-2", "workload"}));
        EXPECT_EQ(compose["networks"]["edgebench"]["driver"].as<std::string>(), "bridge");

        for (const auto& [name, program] : std::vector<std::pair<std::string, std::string>>{
                 {"cloud", "edgebench-cloud"}, {"edge-1", "edgebench-edge"}, {"edge-2", "edgebench-edge"}}) {
            const YAML::Node service = compose["services"][name];
            SCOPED_TRACE(name);
            EXPECT_EQ(service["image"].as<std::string>(), options.image);
            EXPECT_EQ(as_list(service["entrypoint"]), std::vector<std::string>{program});
            EXPECT_TRUE(contains(as_list(service["expose"]), "8080"));
            EXPECT_EQ(as_list(service["networks"]), std::vector<std::string>{"edgebench"});
            EXPECT_EQ(service["labels"]["edgebench.run-id"].as<std::string>(), files.run_ids[r]);
            const auto env = as_map(service["environment"]);
            EXPECT_EQ(env.at("EDGEBENCH_PORT"), "8080");
            EXPECT_EQ(env.at("EDGEBENCH_HOST"), "0.0.0.0");
            EXPECT_EQ(env.at("EDGEBENCH_OUT"), "/results");
            EXPECT_EQ(env.at("EDGEBENCH_RUN_ID"), files.run_ids[r]);
            EXPECT_EQ(env.at("EDGEBENCH_NAME"), name);
            // Volumes: the node's settings (a file written beside the compose file), its results folder,
            // and, where it loads a model, the model's folder read-only at the path its detector names.
            std::map<std::string, YAML::Node> by_target;
            for (const auto& volume : service["volumes"]) {
                EXPECT_EQ(volume["type"].as<std::string>(), "bind");
                by_target.emplace(volume["target"].as<std::string>(), YAML::Node(volume));
            }
            ASSERT_TRUE(by_target.count("/etc/edgebench/node.json"));
            ASSERT_TRUE(by_target.count("/results"));
            EXPECT_TRUE(by_target["/etc/edgebench/node.json"]["read_only"].as<bool>());
            const auto config_file = run_dir / by_target["/etc/edgebench/node.json"]["source"].as<std::string>();
            ASSERT_TRUE(std::filesystem::exists(config_file));
            EXPECT_TRUE(std::filesystem::is_directory(run_dir / by_target["/results"]["source"].as<std::string>()));
            const json config = json::parse(read_text(config_file));
            EXPECT_EQ(config["detector"], env.at("EDGEBENCH_DETECTOR"));
            const std::string detector = env.at("EDGEBENCH_DETECTOR");
            if (name == "cloud") {
                EXPECT_EQ(detector, "builtin");
                EXPECT_EQ(by_target.size(), 2u);
                continue;
            }
            EXPECT_EQ(env.at("EDGEBENCH_CLOUD_URL"), "http://cloud:8080");
            EXPECT_EQ(env.at("EDGEBENCH_BANDWIDTH_MBPS"), "20");
            EXPECT_EQ(env.at("EDGEBENCH_LATENCY_MS"), "5");
            EXPECT_EQ(env.at("EDGEBENCH_PREPROCESS"), config["preprocess"].get<std::string>());
            EXPECT_NE(env.at("EDGEBENCH_PREPROCESS").find(r == 0 ? "quality=90" : "quality=50"), std::string::npos);
            ASSERT_EQ(detector.rfind("onnx:nanodet:/models/", 0), 0u) << detector;
            const std::filesystem::path model_in_container = detector.substr(std::string("onnx:nanodet:").size());
            ASSERT_TRUE(by_target.count(model_in_container.parent_path().string())) << detector;
            const YAML::Node model_volume = by_target[model_in_container.parent_path().string()];
            EXPECT_TRUE(model_volume["read_only"].as<bool>());
            EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(model_volume["source"].as<std::string>()) /
                                                model_in_container.filename()));
            EXPECT_EQ(service["depends_on"]["cloud"]["condition"].as<std::string>(), "service_healthy");
        }

        // The workload: every edge by its service name, the run's images mounted read-only, the run's schedule.
        const YAML::Node workload = compose["services"]["workload"];
        EXPECT_EQ(as_list(workload["entrypoint"]), std::vector<std::string>{"edgebench-workload"});
        const auto args = as_list(workload["command"]);
        EXPECT_TRUE(contains(args, "http://edge-1:8080"));
        EXPECT_TRUE(contains(args, "http://edge-2:8080"));
        EXPECT_EQ(after(args, "--schedule"), "closed");
        EXPECT_EQ(after(args, "--concurrency"), "2");
        EXPECT_EQ(after(args, "--warmup"), "1");
        EXPECT_EQ(after(args, "--run-id"), files.run_ids[r]);
        std::map<std::string, YAML::Node> mounts;
        for (const auto& volume : workload["volumes"]) mounts.emplace(volume["target"].as<std::string>(), YAML::Node(volume));
        ASSERT_TRUE(mounts.count(after(args, "--dataset")));
        ASSERT_TRUE(mounts.count(after(args, "--images")));
        EXPECT_TRUE(mounts[after(args, "--images")]["read_only"].as<bool>());
        const CocoDataset images = CocoDataset::load(run_dir / mounts[after(args, "--dataset")]["source"].as<std::string>(),
                                                     std::filesystem::path(mounts[after(args, "--images")]["source"].as<std::string>()));
        EXPECT_EQ(images.size(), 4u);
        for (const auto& sample : images.samples()) EXPECT_TRUE(std::filesystem::exists(sample.path)) << sample.path;
        std::set<std::string> waits;
        for (const auto& d : workload["depends_on"]) waits.insert(d.first.as<std::string>());
        EXPECT_EQ(waits, (std::set<std::string>{"edge-1", "edge-2"}));
    }
}

TEST(ComposeFiles, DockerComposeAcceptsThem) {
    const auto docker = detail::find_system_program("docker");
    if (!docker) GTEST_SKIP() << "no docker client here to validate compose files with";
    const auto version = detail::run_system_command({docker->string(), "compose", "version"}, std::chrono::seconds(20));
    if (!version.ok()) {
        GTEST_SKIP() << "the docker client here has no compose plugin (`docker compose version`: "
                     << version.output.substr(0, version.output.find('\n')) << "); structure is checked by the other tests";
    }
    TempDir dir;
    DeploymentOptions options;
    options.out_dir = dir / "out";
    const DeploymentFiles files = write_compose_files(deployment_experiment(dir), options);
    for (const auto& file : files.run_files) {
        const auto check = detail::run_system_command({docker->string(), "compose", "-f", file.string(), "config", "-q"},
                                                      std::chrono::seconds(60));
        EXPECT_TRUE(check.ok()) << file << ": " << check.output;
    }
}

struct Object {
    std::string kind;
    std::string name;
    YAML::Node node;
};

std::vector<Object> load_objects(const std::filesystem::path& folder) {
    std::vector<Object> objects;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        for (const auto& document : YAML::LoadAllFromFile(file.string())) {
            if (!document.IsMap()) continue;
            EXPECT_TRUE(document["apiVersion"].IsScalar()) << file;
            objects.push_back({document["kind"].as<std::string>(), document["metadata"]["name"].as<std::string>(), document});
        }
    }
    return objects;
}

// Whether every selector entry is among `labels`.
bool selects(const YAML::Node& selector, const YAML::Node& labels) {
    for (const auto& entry : selector) {
        const auto key = entry.first.as<std::string>();
        if (!labels[key] || labels[key].as<std::string>() != entry.second.as<std::string>()) return false;
    }
    return selector.size() > 0;
}

TEST(KubernetesManifests, DeploymentsServicesJobAndVolumesFitTogether) {
    TempDir dir;
    const Experiment experiment = deployment_experiment(dir);
    DeploymentOptions options;
    options.out_dir = dir / "out";
    const DeploymentFiles files = write_kubernetes_files(experiment, options);
    ASSERT_EQ(files.run_ids.size(), 2u);

    // Shared: the data volume and the pod that loads it.
    const auto shared = YAML::LoadAllFromFile((files.directory / "data.yaml").string());
    ASSERT_EQ(shared.size(), 2u);
    EXPECT_EQ(shared[0]["kind"].as<std::string>(), "PersistentVolumeClaim");
    EXPECT_EQ(shared[0]["metadata"]["name"].as<std::string>(), "edgebench-data");
    EXPECT_EQ(shared[1]["kind"].as<std::string>(), "Pod");

    for (std::size_t r = 0; r < files.run_ids.size(); ++r) {
        const std::string run_id = files.run_ids[r];
        SCOPED_TRACE(run_id);
        const auto objects = load_objects(files.run_files[r]);
        std::map<std::string, int> kinds;
        std::map<std::string, std::map<std::string, YAML::Node>> by_kind;
        for (const auto& o : objects) {
            ++kinds[o.kind];
            by_kind[o.kind].emplace(o.name, o.node);
            EXPECT_EQ(o.node["metadata"]["labels"]["edgebench.io/run-id"].as<std::string>(), run_id) << o.kind << " " << o.name;
            EXPECT_EQ(o.node["metadata"]["labels"]["edgebench.io/experiment"].as<std::string>(), "deploy-check");
            EXPECT_LE(o.name.size(), 63u) << o.name;
        }
        EXPECT_EQ(kinds, (std::map<std::string, int>{{"ConfigMap", 4}, {"Deployment", 3}, {"Job", 1},
                                                      {"PersistentVolumeClaim", 1}, {"Pod", 1}, {"Service", 3}}));
        const std::string prefix = "deploy-check-" + run_id;

        // Every Service selects exactly the pods of its Deployment, on the port the container names.
        std::vector<std::string> edge_services;
        for (const auto& [name, deployment] : by_kind["Deployment"]) {
            SCOPED_TRACE(name);
            const YAML::Node pod_labels = deployment["spec"]["template"]["metadata"]["labels"];
            EXPECT_TRUE(selects(deployment["spec"]["selector"]["matchLabels"], pod_labels));
            ASSERT_TRUE(by_kind["Service"].count(name));
            const YAML::Node service = by_kind["Service"][name];
            EXPECT_TRUE(selects(service["spec"]["selector"], pod_labels));
            for (const auto& [other, other_deployment] : by_kind["Deployment"]) {
                if (other != name) {
                    EXPECT_FALSE(selects(service["spec"]["selector"], other_deployment["spec"]["template"]["metadata"]["labels"]));
                }
            }
            const YAML::Node pod = deployment["spec"]["template"]["spec"];
            const YAML::Node container = pod["containers"][0];
            EXPECT_EQ(container["image"].as<std::string>(), std::string("edgebench:") + kVersion);
            EXPECT_EQ(container["ports"][0]["containerPort"].as<int>(), 8080);
            EXPECT_EQ(service["spec"]["ports"][0]["port"].as<int>(), 8080);
            EXPECT_EQ(service["spec"]["ports"][0]["targetPort"].as<std::string>(), container["ports"][0]["name"].as<std::string>());
            EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
            std::map<std::string, std::string> env;
            for (const auto& e : container["env"]) env[e["name"].as<std::string>()] = e["value"].as<std::string>();
            EXPECT_EQ(env.at("EDGEBENCH_RUN_ID"), run_id);
            // Volumes: each refers to an object of the run (or the shared data claim), and each mount to a volume.
            std::set<std::string> volumes;
            for (const auto& v : pod["volumes"]) {
                volumes.insert(v["name"].as<std::string>());
                if (v["configMap"]) {
                    EXPECT_TRUE(by_kind["ConfigMap"].count(v["configMap"]["name"].as<std::string>()));
                }
                if (v["persistentVolumeClaim"]) {
                    const auto claim = v["persistentVolumeClaim"]["claimName"].as<std::string>();
                    EXPECT_TRUE(claim == "edgebench-data" || by_kind["PersistentVolumeClaim"].count(claim)) << claim;
                }
            }
            for (const auto& m : container["volumeMounts"]) EXPECT_TRUE(volumes.count(m["name"].as<std::string>()));
            const std::string role = pod_labels["app.kubernetes.io/component"].as<std::string>();
            if (role == "edge") {
                EXPECT_EQ(pod["nodeSelector"]["edgebench.io/role"].as<std::string>(), "edge");
                EXPECT_EQ(env.at("EDGEBENCH_CLOUD_URL"), "http://" + prefix + "-cloud:8080");
                EXPECT_EQ(env.at("EDGEBENCH_BANDWIDTH_MBPS"), "20");
                EXPECT_EQ(env.at("EDGEBENCH_DETECTOR"), "onnx:nanodet:/data/models/m.onnx");
                EXPECT_TRUE(volumes.count("data"));
                edge_services.push_back(name);
            } else {
                EXPECT_EQ(role, "cloud");
                EXPECT_FALSE(pod["nodeSelector"]);
            }
            // The node's settings, from its ConfigMap.
            const YAML::Node config_map = by_kind["ConfigMap"][name + "-config"];
            const json config = json::parse(config_map["data"]["node.json"].as<std::string>());
            EXPECT_EQ(config["detector"], env.at("EDGEBENCH_DETECTOR"));
        }
        EXPECT_EQ(edge_services.size(), 2u);

        // The Job drives the edge Services and waits for them first.
        ASSERT_TRUE(by_kind["Job"].count(prefix + "-workload"));
        const YAML::Node job = by_kind["Job"][prefix + "-workload"];
        const YAML::Node pod = job["spec"]["template"]["spec"];
        EXPECT_EQ(pod["restartPolicy"].as<std::string>(), "Never");
        const auto args = as_list(pod["containers"][0]["args"]);
        const std::string wait = as_list(pod["initContainers"][0]["command"]).back();
        for (const auto& service : edge_services) {
            EXPECT_TRUE(contains(args, "http://" + service + ":8080")) << service;
            EXPECT_NE(wait.find("http://" + service + ":8080/healthz"), std::string::npos) << wait;
        }
        EXPECT_EQ(after(args, "--run-id"), run_id);
        const YAML::Node instances_map = by_kind["ConfigMap"][prefix + "-workload-config"];
        const json instances = json::parse(instances_map["data"]["instances.json"].as<std::string>());
        EXPECT_EQ(instances["images"].size(), 4u);
        EXPECT_EQ(after(args, "--images").rfind("/data/datasets/", 0), 0u);
    }
    // The README says how to label edge nodes, load data and apply each run.
    const std::string readme = read_text(files.directory / "README.md");
    EXPECT_NE(readme.find("kubectl label node"), std::string::npos);
    EXPECT_NE(readme.find("kubectl apply -f " + files.run_files[0].string()), std::string::npos);
}

}  // namespace
}  // namespace edgebench::test
