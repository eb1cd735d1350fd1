#include "apps/node_main.hpp"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/arg_parser.hpp"
#include "edgebench/cloud_service.hpp"
#include "edgebench/edge_service.hpp"
#include "edgebench/error.hpp"
#include "edgebench/hw_monitor.hpp"
#include "edgebench/node_server.hpp"
#include "internal/file_io.hpp"
#include "internal/json_cursor.hpp"

namespace edgebench::apps {
namespace {

using cli::ArgParser;
using nlohmann::json;

// Flag name -> (environment variable, config key path). Flags and variables fill the same JSON object the
// config file does, so that one validator sees every source.
struct Setting {
    const char* flag;
    const char* env;
    const char* value_name;
    const char* help;
    bool edge_only;
};

constexpr Setting kSettings[] = {
    {"name", "EDGEBENCH_NAME", "NAME", "node name in records", false},
    {"detector", "EDGEBENCH_DETECTOR", "SPEC", "detector spec: none, builtin, onnx:nanodet:PATH, torchscript:PATH, ...", false},
    {"detector-score", "EDGEBENCH_DETECTOR_SCORE", "T", "detector's own score threshold", false},
    {"detector-threads", "EDGEBENCH_DETECTOR_THREADS", "N", "detector intra-op threads (0: library default)", false},
    {"device", "EDGEBENCH_DEVICE", "DEV", "cpu, cuda or cuda:N", false},
    {"preprocess", "EDGEBENCH_PREPROCESS", "SETTINGS", "e.g. 'grayscale=0,resize=75,quality=50'", true},
    {"cloud", "EDGEBENCH_CLOUD_URL", "URL", "forward to this cloud (e.g. http://127.0.0.1:8100)", true},
    {"cloud-token", "EDGEBENCH_CLOUD_TOKEN", "TOKEN", "bearer token for the cloud", true},
    {"forward-timeout", "EDGEBENCH_FORWARD_TIMEOUT", "S", "seconds to wait for the cloud", true},
    {"bandwidth-mbps", "EDGEBENCH_BANDWIDTH_MBPS", "MBPS", "emulated edge-cloud bandwidth (0: unlimited)", true},
    {"latency-ms", "EDGEBENCH_LATENCY_MS", "MS", "emulated one-way edge-cloud latency", true},
    {"iou", "EDGEBENCH_IOU", "T", "IoU threshold of the per-request scores", false},
    {"score", "EDGEBENCH_SCORE", "T", "score threshold of the per-request scores", false},
    {"run-id", "EDGEBENCH_RUN_ID", "ID", "run id written into every record", false},
};

void put(json& config, const std::string& flag, const std::string& value) {
    auto number = [&] {
        try {
            std::size_t used = 0;
            const double parsed = std::stod(value, &used);
            if (used == value.size()) return parsed;
        } catch (const std::exception&) {
        }
        throw cli::UsageError("--" + flag + " expects a number, got '" + value + "'");
    };
    if (flag == "name") config["name"] = value;
    else if (flag == "detector") config["detector"] = value;
    else if (flag == "detector-score") config["detector_options"]["score_threshold"] = number();
    else if (flag == "detector-threads") config["detector_options"]["threads"] = static_cast<int>(number());
    else if (flag == "device") config["detector_options"]["device"] = value;
    else if (flag == "preprocess") config["preprocess"] = value;
    else if (flag == "cloud") config["cloud_url"] = value;
    else if (flag == "cloud-token") config["cloud_token"] = value;
    else if (flag == "forward-timeout") config["forward_timeout_s"] = number();
    else if (flag == "bandwidth-mbps") config["link"]["bandwidth_mbps"] = number();
    else if (flag == "latency-ms") config["link"]["latency_ms"] = number();
    else if (flag == "iou") config["iou_threshold"] = number();
    else if (flag == "score") config["score_threshold"] = number();
    else if (flag == "run-id") config["run_id"] = value;
}

// Merges `overlay` into `base` key by key (objects recursively).
void overlay(json& base, const json& top) {
    for (auto it = top.begin(); it != top.end(); ++it) {
        if (it.value().is_object() && base.contains(it.key()) && base[it.key()].is_object()) {
            overlay(base[it.key()], it.value());
        } else {
            base[it.key()] = it.value();
        }
    }
}

// SIGINT and SIGTERM are blocked in every thread and collected here, so that no signal handler (and no
// global flag) is needed: the watcher stops the server, which lets requests in flight finish.
class SignalWatcher {
public:
    explicit SignalWatcher(NodeServer& server) : server_(server), thread_([this] { watch(); }) {}
    ~SignalWatcher() {
        done_ = true;
        thread_.join();
    }
    int signal() const noexcept { return signal_; }

private:
    void watch() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        const timespec poll{0, 200'000'000};
        while (!done_) {
            const int received = sigtimedwait(&set, nullptr, &poll);
            if (received > 0) {
                signal_ = received;
                server_.stop();
                return;
            }
        }
    }
    NodeServer& server_;
    std::atomic<bool> done_{false};
    std::atomic<int> signal_{0};
    std::thread thread_;
};

}  // namespace

int run_node(NodeKind kind, const std::vector<std::string>& args) {
    const bool edge = kind == NodeKind::Edge;
    const std::string program = edge ? "edgebench-edge" : "edgebench-cloud";
    ArgParser parser(program,
                     edge ? "An edge node: preprocess, detect, score and forward images to the cloud over HTTP "
                            "(POST /v1/infer, GET /healthz, GET|PUT /v1/config).\nSettings come from --config FILE, "
                            "then EDGEBENCH_* environment variables, then flags."
                          : "A cloud node: receive forwarded images, optionally detect and score them (POST /v1/infer, "
                            "GET /healthz, GET|PUT /v1/config).\nSettings come from --config FILE, then EDGEBENCH_* "
                            "environment variables, then flags.");
    parser.option("config", "FILE", "JSON file with the node's settings (keys as in GET /v1/config)")
        .option("host", "ADDR", "address to listen on (EDGEBENCH_HOST)", "127.0.0.1")
        .option("port", "PORT", "port to listen on, 0 for any free port (EDGEBENCH_PORT)", "0")
        .option("port-file", "FILE", "write the port here once listening")
        .option("token", "TOKEN", "require this bearer token on every endpoint (EDGEBENCH_TOKEN)")
        .option("workers", "N", "requests served at once; each keep-alive connection holds one (EDGEBENCH_WORKERS)", "8")
        .option("max-body-mb", "MB", "largest request body accepted (EDGEBENCH_MAX_BODY_MB)", "32")
        .option("out", "DIR", "write requests.csv, detections.jsonl and hw.csv here (EDGEBENCH_OUT)")
        .option("monitor-period", "S", "seconds between hardware samples into hw.csv; 0: none (EDGEBENCH_MONITOR_PERIOD)",
                "1");
    for (const auto& s : kSettings) {
        if (s.edge_only && !edge) continue;
        parser.option(s.flag, s.value_name, std::string(s.help) + " (" + s.env + ")");
    }
    if (!parser.parse(args)) return 0;

    auto setting = [&](const std::string& flag, const char* env) -> std::optional<std::string> {
        if (parser.has(flag)) return parser.get(flag);
        if (const char* value = std::getenv(env); value && *value) return std::string(value);
        return parser.get(flag);  // the default
    };

    json config = json::object();
    if (const auto file = parser.get("config")) {
        json loaded = detail::read_json_file(*file);
        if (!loaded.is_object()) throw Error("expected a JSON object of settings", {}, *file);
        overlay(config, loaded);
    }
    json from_sources = json::object();
    for (const auto& s : kSettings) {
        if (s.edge_only && !edge) continue;
        if (const char* value = std::getenv(s.env); value && *value && !parser.has(s.flag)) put(from_sources, s.flag, value);
        if (parser.has(s.flag)) put(from_sources, s.flag, parser.value(s.flag));
    }
    overlay(config, from_sources);

    auto number_of = [&](const std::string& flag, const char* env) {
        const std::string text = *setting(flag, env);
        try {
            std::size_t used = 0;
            const double value = std::stod(text, &used);
            if (used == text.size()) return value;
        } catch (const std::exception&) {
        }
        throw cli::UsageError("--" + flag + " (or " + env + ") expects a number, got '" + text + "'");
    };

    ServerOptions server_options;
    server_options.host = *setting("host", "EDGEBENCH_HOST");
    server_options.port = static_cast<int>(number_of("port", "EDGEBENCH_PORT"));
    if (auto token = setting("token", "EDGEBENCH_TOKEN")) server_options.bearer_token = *token;
    server_options.workers = static_cast<int>(number_of("workers", "EDGEBENCH_WORKERS"));
    const double max_body_mb = number_of("max-body-mb", "EDGEBENCH_MAX_BODY_MB");
    if (!(max_body_mb > 0)) throw cli::UsageError("--max-body-mb must be positive");
    server_options.max_body_bytes = static_cast<std::size_t>(max_body_mb * 1024 * 1024);

    std::shared_ptr<RequestLog> log;
    const auto out = setting("out", "EDGEBENCH_OUT");
    if (out) log = std::make_shared<RequestLog>(*out);
    const double monitor_period = number_of("monitor-period", "EDGEBENCH_MONITOR_PERIOD");
    if (monitor_period < 0) throw cli::UsageError("--monitor-period must be 0 (off) or positive");

    // Past a file-size limit, writes fail with EFBIG (reported, handled) instead of killing the process.
    ::signal(SIGXFSZ, SIG_IGN);
    // Every request allocates image-sized buffers (the body, its multipart parts, decoded pixels). With
    // glibc's defaults those go back to the kernel when freed and are faulted in again by the next
    // request: about 80 page faults per COCO image on the edge. Keeping them in the heap costs a few MB.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);

    // Block the signals before any thread starts, so that every thread inherits the mask.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    std::shared_ptr<NodeService> service;
    if (edge) {
        EdgeConfig edge_config;
        edge_config.merge_json(config.dump());
        service = std::make_shared<EdgeService>(edge_config, DetectorRegistry::with_builtin_backends(), log);
    } else {
        CloudConfig cloud_config;
        cloud_config.merge_json(config.dump());
        service = std::make_shared<CloudService>(cloud_config, DetectorRegistry::with_builtin_backends(), log);
    }
    // Every node samples its own hardware while it serves (DESIGN section 3, hw.csv).
    std::unique_ptr<HwMonitor> monitor;
    if (out && monitor_period > 0) {
        HwMonitorOptions options;
        options.period = std::chrono::microseconds(static_cast<std::int64_t>(monitor_period * 1e6));
        options.node = service->name();
        monitor = std::make_unique<HwMonitor>(options);
        monitor->write_csv(std::filesystem::path(*out) / "hw.csv", {}, true);
        monitor->start();
        server_options.take_hardware_sample = [m = monitor.get()] { m->sample_now(); };
    }
    NodeServer server(service, server_options, log);
    if (auto port_file = parser.get("port-file")) detail::write_file_atomically(*port_file, std::to_string(server.port()));
    std::cout << program << " " << service->name() << " listening on " << server.url() << std::endl;
    {
        SignalWatcher watcher(server);
        server.serve();
    }
    if (monitor) monitor->stop();
    std::cout << program << " " << service->name() << " stopped" << std::endl;
    return 0;
}

}  // namespace edgebench::apps
