// A small grid (unlimited link vs 10 Mbit/s) through the real runner on the local and the netns backend:
// real node processes, real HTTP, real namespaces and tc qdiscs. The netns tests skip, saying why, where
// namespaces cannot be made (not root, or `ip netns add` refused); they clean up even when they fail.

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "edgebench/netns.hpp"
#include "edgebench/runner.hpp"
#include "node_process.hpp"
#include "runner/netns_tools.hpp"
#include "test_support.hpp"

namespace edgebench::test {
namespace {

using nlohmann::json;

// Large synthetic images at JPEG quality 95 (tens of kB each), so that a 10 Mbit/s link takes tens of ms.
std::string grid_experiment(const std::string& backend, std::size_t images) {
    return "name: backend-grid\n"
           "dataset:\n  synthetic: {count: " + std::to_string(images) + ", seed: 11, width: 1280, height: 960}\n"
           "images: " + std::to_string(images) + "\n"
           "placement: edge\n"
           "edges: {count: 1, detector: none, preprocess: \"quality=95\"}\n"
           "cloud: {detector: none}\n"
           "workload: {schedule: closed, concurrency: 1, warmup: 1, format: multipart}\n"
           "backend: " + backend + "\n"
           "grid:\n  network.bandwidth_mbps: [10, 0]\n";
}

Experiment load_experiment(const TempDir& dir, const std::string& text) {
    write_text(dir / "experiment.yaml", text);
    return Experiment::load(dir / "experiment.yaml");
}

double number(const std::map<std::string, std::string>& row, const std::string& column) {
    const auto found = row.find(column);
    if (found == row.end() || found->second.empty()) return 0;
    return std::strtod(found->second.c_str(), nullptr);
}

struct LinkFigures {
    std::size_t requests = 0;
    double forward_ms = 0;
    double forward_bytes = 0;
    double ms_per_kib() const { return forward_bytes > 0 ? forward_ms / (forward_bytes / 1024.0) : 0; }
};

// Per run: the edge's forwards (time and bytes) from requests.csv.
std::map<std::string, LinkFigures> forwards_by_run(const std::filesystem::path& out,
                                                   std::map<std::string, std::vector<std::pair<double, double>>>* each = nullptr) {
    std::map<std::string, LinkFigures> figures;
    for (const auto& row : read_csv(out / "requests.csv")) {
        if (row.at("role") != "edge") continue;
        EXPECT_EQ(row.at("forward_status"), "ok") << row.at("error");
        auto& f = figures[row.at("run_id")];
        ++f.requests;
        f.forward_ms += number(row, "forward_ms");
        f.forward_bytes += number(row, "forward_bytes");
        if (each) (*each)[row.at("run_id")].emplace_back(number(row, "forward_ms"), number(row, "forward_bytes"));
    }
    return figures;
}

// The run whose link was limited ("10") and the unlimited one, by runs.csv.
std::pair<std::string, std::string> limited_and_unlimited(const std::filesystem::path& out) {
    std::string limited, unlimited;
    for (const auto& row : read_csv(out / "runs.csv")) {
        EXPECT_EQ(row.at("status"), "ok") << row.at("error");
        (row.at("bandwidth_mbps") == "10" ? limited : unlimited) = row.at("run_id");
    }
    return {limited, unlimited};
}

// A request of `bytes` over a 10 Mbit/s link cannot take less than its bytes at that rate, less what a
// token bucket lets through at once (tbf's 5000-byte bucket; the in-process shaper has none). A further
// 10% covers timer rounding. Only a lower bound: a loaded machine may take any longer.
double lower_bound_ms(double bytes) { return std::max(0.0, bytes - 5000.0) * 8.0 / 10e6 * 1000.0 * 0.9; }

TEST(RunnerBackends, LocalGridEmulatesTheLinkInProcess) {
    TempDir dir;
    const Experiment experiment = load_experiment(dir, grid_experiment("local", 8));
    RunnerOptions options;
    options.out_dir = dir / "out";
    options.monitor_period_s = 0.2;
    const SweepResult result = run_experiment(experiment, options);
    EXPECT_EQ(result.finished, 2u);
    EXPECT_EQ(result.failed, 0u);

    const auto [limited, unlimited] = limited_and_unlimited(options.out_dir);
    std::map<std::string, std::vector<std::pair<double, double>>> each;
    const auto figures = forwards_by_run(options.out_dir, &each);
    ASSERT_EQ(figures.at(limited).requests, 8u);
    for (const auto& [ms, bytes] : each.at(limited)) EXPECT_GE(ms, lower_bound_ms(bytes)) << bytes << " bytes";
    std::cout << "local: forward at 10 Mbit/s " << figures.at(limited).ms_per_kib() << " ms/KiB, unlimited "
              << figures.at(unlimited).ms_per_kib() << " ms/KiB (in-process emulation)\n";

    const json manifest = json::parse(read_text(options.out_dir / "manifest.json"));
    ASSERT_TRUE(manifest.contains("launch"));
    const auto& launch = manifest["launch"][limited];
    EXPECT_EQ(launch["backend"], "local");
    EXPECT_EQ(launch["links"][0]["bandwidth_by"], "edgebench-edge (in-process)");
    EXPECT_EQ(manifest["launch"][unlimited]["links"][0]["bandwidth_by"], "none");
}

// --- netns -----------------------------------------------------------------------------------------------

// Skips the test, saying why, where this host cannot make network namespaces.
#define SKIP_WITHOUT_NETNS()                                                                              \
    do {                                                                                                  \
        const NetnsSupport support = probe_netns_support();                                               \
        if (!support.available) GTEST_SKIP() << "netns backend unavailable here: " << support.reason;     \
    } while (false)

// Whatever a netns test leaves (it failed half way, a runner was killed) goes when the test ends.
class NetnsLeftovers {
public:
    explicit NetnsLeftovers(std::filesystem::path out) : out_(std::move(out)) {}
    ~NetnsLeftovers() {
        try {
            (void)cleanup_netns(out_, true);
            if (!sweep_id.empty()) remove_by_id(sweep_id);
        } catch (const std::exception&) {
        }
    }
    NetnsLeftovers(const NetnsLeftovers&) = delete;
    NetnsLeftovers& operator=(const NetnsLeftovers&) = delete;
    std::string sweep_id;

    static void remove_by_id(const std::string& id) {
        const detail::NetnsTools tools;
        for (const auto& name : tools.root_links()) {
            if (detail::sweep_of_root_link(name) == id) tools.ip_try({"link", "del", name});
        }
        for (const auto& name : tools.namespaces()) {
            if (detail::sweep_of_namespace(name) == id) tools.ip_try({"netns", "del", name});
        }
    }

private:
    std::filesystem::path out_;
};

// Names of the namespaces and root links of sweep `id` that exist now.
std::vector<std::string> netns_objects_of(const std::string& id) {
    const detail::NetnsTools tools;
    std::vector<std::string> found;
    for (const auto& name : tools.namespaces()) {
        if (detail::sweep_of_namespace(name) == id) found.push_back("namespace " + name);
    }
    for (const auto& name : tools.root_links()) {
        if (detail::sweep_of_root_link(name) == id) found.push_back("link " + name);
    }
    return found;
}

std::string join(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

std::string read_state_id(const std::filesystem::path& out) {
    std::ifstream in(out / "netns-state.json");
    if (!in) return {};
    const json state = json::parse(in, nullptr, false);
    return state.is_object() ? state.value("sweep_id", std::string()) : std::string();
}

// While a run is going: each of the sweep's namespaces holds exactly one process, a node program, in a
// network namespace other than the runner's.
void check_nodes_in_own_namespaces(const std::filesystem::path& out, std::set<std::string>& programs_seen) {
    const json state = json::parse(read_text(out / "netns-state.json"));
    const detail::NetnsTools tools;
    struct stat ours {};
    ASSERT_EQ(::stat("/proc/self/ns/net", &ours), 0);
    for (const auto& ns : state["namespaces"]) {
        const auto pids = tools.pids_in(ns.get<std::string>());
        ASSERT_EQ(pids.size(), 1u) << ns;
        const auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pids[0]) + "/exe").filename().string();
        programs_seen.insert(exe);
        struct stat theirs {};
        ASSERT_EQ(::stat(("/proc/" + std::to_string(pids[0]) + "/ns/net").c_str(), &theirs), 0);
        EXPECT_NE(theirs.st_ino, ours.st_ino) << exe << " runs in the runner's network namespace";
    }
}

TEST(RunnerBackends, NetnsGridShapesTheLinkWithTcAndRemovesEverything) {
    SKIP_WITHOUT_NETNS();
    TempDir dir;
    const Experiment experiment = load_experiment(dir, grid_experiment("netns", 8));
    RunnerOptions options;
    options.out_dir = dir / "out";
    options.monitor_period_s = 0.1;
    NetnsLeftovers leftovers(options.out_dir);
    std::set<std::string> programs_seen;
    bool checked = false;
    options.on_progress = [&](const SweepProgress& progress) {
        if (progress.phase != SweepProgress::Phase::Running || checked) return;
        checked = true;
        leftovers.sweep_id = read_state_id(options.out_dir);
        check_nodes_in_own_namespaces(options.out_dir, programs_seen);
    };
    const SweepResult result = run_experiment(experiment, options);
    EXPECT_EQ(result.finished, 2u);
    EXPECT_EQ(result.failed, 0u);
    EXPECT_TRUE(checked);
    EXPECT_EQ(programs_seen, (std::set<std::string>{"edgebench-cloud", "edgebench-edge"}));

    // Both runs shared one cluster; its nodes listened on their namespaces' addresses.
    const auto [limited, unlimited] = limited_and_unlimited(options.out_dir);
    const json manifest = json::parse(read_text(options.out_dir / "manifest.json"));
    const auto& launch = manifest["launch"][limited];
    EXPECT_EQ(launch["backend"], "netns");
    const std::string id = launch["sweep_id"];
    EXPECT_EQ(id, leftovers.sweep_id);
    ASSERT_EQ(launch["nodes"].size(), 2u);
    for (const auto& node : launch["nodes"]) {
        const std::string address = node["address"];
        EXPECT_EQ(node["namespace"].get<std::string>().rfind("ebn-" + id + "-", 0), 0u) << node;
        EXPECT_NE(address.rfind("127.", 0), 0u) << node;
        if (node["name"] == "cloud") continue;  // it listens on every address of its namespace
        const std::string log = read_text(options.out_dir / "nodes" / node["name"].get<std::string>() / "node.log");
        EXPECT_NE(log.find("listening on http://" + address + ":"), std::string::npos) << log;
    }
    EXPECT_EQ(launch["links"][0]["bandwidth_by"], "tc tbf (both directions)");
    EXPECT_EQ(manifest["launch"][unlimited]["links"][0]["bandwidth_by"], "none");

    // The 10 Mbit/s link: every forward took at least its bytes at that rate; the edge emulated nothing
    // itself (its config's link bandwidth is 0), so this is the kernel's doing.
    std::map<std::string, std::vector<std::pair<double, double>>> each;
    const auto figures = forwards_by_run(options.out_dir, &each);
    ASSERT_EQ(figures.at(limited).requests, 8u);
    ASSERT_EQ(figures.at(unlimited).requests, 8u);
    EXPECT_DOUBLE_EQ(figures.at(limited).forward_bytes, figures.at(unlimited).forward_bytes);
    for (const auto& [ms, bytes] : each.at(limited)) EXPECT_GE(ms, lower_bound_ms(bytes)) << bytes << " bytes";
    const json edge_config = json::parse(read_text(options.out_dir / "nodes" / "edge-1" / "config.json"));
    EXPECT_EQ(edge_config["link"]["bandwidth_mbps"], 0.0);
    std::cout << "netns: forward at 10 Mbit/s " << figures.at(limited).ms_per_kib() << " ms/KiB (ideal "
              << 1024 * 8 / 10e6 * 1000 << "), unlimited " << figures.at(unlimited).ms_per_kib() << " ms/KiB, "
              << figures.at(limited).forward_bytes / figures.at(limited).requests / 1024 << " KiB per forward\n";

    // The edge's hw.csv sees its own namespace's interfaces: what it sent covers what it forwarded.
    double edge_tx = 0;
    for (const auto& row : read_csv(options.out_dir / "hw.csv")) {
        if (row.at("run_id") == limited && row.at("role") == "edge") edge_tx += number(row, "net_tx_bytes");
    }
    EXPECT_GE(edge_tx, 0.5 * figures.at(limited).forward_bytes);

    // Nothing of the sweep is left.
    EXPECT_EQ(join(netns_objects_of(id)), "");
    EXPECT_FALSE(std::filesystem::exists(options.out_dir / "netns-state.json"));
}

TEST(RunnerBackends, NetnsCleanupAfterTheRunnerIsKilled) {
    SKIP_WITHOUT_NETNS();
    TempDir dir;
    // A slow link and many images: the sweep is still running when it is killed.
    write_text(dir / "experiment.yaml",
               "name: killed\n"
               "dataset:\n  synthetic: {count: 12, seed: 5, width: 1280, height: 960}\n"
               "edges: {count: 2, detector: none, preprocess: \"quality=95\"}\n"
               "network: {bandwidth_mbps: 1}\n"
               "workload: {schedule: closed, concurrency: 1}\n"
               "backend: netns\n");
    const auto out = dir / "out";
    NetnsLeftovers leftovers(out);
    ChildProcess runner({cli_path(), "run", (dir / "experiment.yaml").string(), "--out", out.string()}, dir / "runner.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!std::filesystem::exists(out / "nodes" / "edge-2" / "port")) {
        ASSERT_TRUE(runner.running()) << runner.log();
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << runner.log();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const std::string id = read_state_id(out);
    ASSERT_FALSE(id.empty());
    leftovers.sweep_id = id;

    // A cleanup while the sweep runs leaves it alone.
    const auto refused = run_command(cli_path() + " netns cleanup --out " + out.string());
    EXPECT_EQ(refused.status, 0) << refused.output;
    EXPECT_NE(refused.output.find("still running"), std::string::npos) << refused.output;
    // The cloud and two edges: three namespaces and three root links.
    EXPECT_EQ(netns_objects_of(id).size(), 6u) << join(netns_objects_of(id));

    runner.send_signal(SIGKILL);
    EXPECT_EQ(runner.wait(std::chrono::seconds(30)), 128 + SIGKILL);
    const auto left = netns_objects_of(id);
    EXPECT_GE(left.size(), 3u) << "a killed runner cannot clean up; expected its namespaces to remain: " << join(left);

    const auto cleanup = run_command(cli_path() + " netns cleanup --out " + out.string());
    EXPECT_EQ(cleanup.status, 0) << cleanup.output;
    EXPECT_NE(cleanup.output.find("removed namespace ebn-" + id + "-cloud"), std::string::npos) << cleanup.output;
    EXPECT_EQ(join(netns_objects_of(id)), "");
    EXPECT_FALSE(std::filesystem::exists(out / "netns-state.json"));
    const auto again = run_command(cli_path() + " netns cleanup --out " + out.string());
    EXPECT_NE(again.output.find("nothing to clean up"), std::string::npos) << again.output;
}

TEST(RunnerBackends, NetnsRemovesEverythingOnCtrlCAndAfterAFailedRun) {
    SKIP_WITHOUT_NETNS();
    TempDir dir;
    // Ctrl-C in the middle of a run: the runner stops its nodes and removes their namespaces and links.
    write_text(dir / "slow.yaml", "name: interrupted\n"
                                  "dataset:\n  synthetic: {count: 12, seed: 5, width: 1280, height: 960}\n"
                                  "edges: {count: 1, detector: none, preprocess: \"quality=95\"}\n"
                                  "network: {bandwidth_mbps: 1}\n"
                                  "backend: netns\n");
    const auto out = dir / "interrupted";
    NetnsLeftovers leftovers(out);
    ChildProcess runner({cli_path(), "run", (dir / "slow.yaml").string(), "--out", out.string()}, dir / "runner.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!std::filesystem::exists(out / "nodes" / "edge-1" / "port")) {
        ASSERT_TRUE(runner.running()) << runner.log();
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << runner.log();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    leftovers.sweep_id = read_state_id(out);
    ASSERT_FALSE(leftovers.sweep_id.empty());
    EXPECT_EQ(netns_objects_of(leftovers.sweep_id).size(), 4u);
    runner.send_signal(SIGINT);
    EXPECT_EQ(runner.wait(std::chrono::seconds(60)), 130) << runner.log();
    EXPECT_EQ(join(netns_objects_of(leftovers.sweep_id)), "");
    EXPECT_FALSE(std::filesystem::exists(out / "netns-state.json"));

    // A run whose edge cannot start (its model file is not a model) fails; its namespaces go all the same.
    write_text(dir / "bad.onnx", "not a model");
    const Experiment broken = load_experiment(
        dir, "name: broken\n"
             "dataset:\n  synthetic: {count: 2, seed: 5}\n"
             "edges: {count: 1, detector: \"onnx:nanodet:bad.onnx\"}\n"
             "backend: netns\n");
    RunnerOptions options;
    options.out_dir = dir / "broken";
    NetnsLeftovers broken_leftovers(options.out_dir);
    std::string id;
    options.on_progress = [&](const SweepProgress&) {
        if (id.empty()) id = read_state_id(options.out_dir);
    };
    const SweepResult result = run_experiment(broken, options);
    EXPECT_EQ(result.failed, 1u);
    ASSERT_FALSE(id.empty());
    broken_leftovers.sweep_id = id;
    EXPECT_NE(read_csv(options.out_dir / "runs.csv").at(0).at("error").find("edge-1"), std::string::npos);
    EXPECT_EQ(join(netns_objects_of(id)), "");
    EXPECT_FALSE(std::filesystem::exists(options.out_dir / "netns-state.json"));
}

TEST(RunnerBackends, NetnsWithoutPrivilegesFailsBeforeAnythingStarts) {
    SKIP_WITHOUT_NETNS();  // the same host, with the capabilities taken away
    if (!std::filesystem::exists("/usr/bin/setpriv")) GTEST_SKIP() << "setpriv (util-linux) is not installed";
    TempDir dir;
    write_text(dir / "experiment.yaml", grid_experiment("netns", 2));
    const auto result = run_command("/usr/bin/setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- " +
                                    cli_path() + " run " + (dir / "experiment.yaml").string() + " --out " +
                                    (dir / "out").string() + " 2>&1");
    EXPECT_EQ(result.status, 1) << result.output;
    EXPECT_NE(result.output.find("needs root"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("CAP_NET_ADMIN"), std::string::npos) << result.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "manifest.json"));
}

TEST(NetnsNames, SweepIdsAreReadBackOnlyFromOurNames) {
    const std::string id = detail::new_netns_sweep_id();
    ASSERT_EQ(id.size(), 6u);
    EXPECT_EQ(detail::sweep_of_namespace(detail::netns_namespace_name(id, "Edge 1")), id);
    EXPECT_EQ(detail::netns_namespace_name(id, "Edge 1"), "ebn-" + id + "-edge-1");
    EXPECT_EQ(detail::sweep_of_root_link(detail::netns_root_link_name(id, 12)), id);
    EXPECT_LE(detail::netns_root_link_name(id, 999).size(), 15u);  // IFNAMSIZ
    EXPECT_EQ(detail::sweep_of_namespace("ebn-xyz"), "");
    EXPECT_EQ(detail::sweep_of_namespace("other-" + id + "-cloud"), "");
    EXPECT_EQ(detail::sweep_of_root_link("ebnetwork0"), "");
    EXPECT_EQ(detail::sweep_of_root_link("eth0"), "");
}

}  // namespace
}  // namespace edgebench::test
