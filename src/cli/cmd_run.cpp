// `edgebench run EXPERIMENT --out DIR`: the sweep, with a progress bar, Ctrl-C and --resume.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <stop_token>
#include <thread>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "edgebench/deployment.hpp"
#include "edgebench/experiment.hpp"
#include "edgebench/runner.hpp"

namespace edgebench::cli {
namespace {

std::string clock_text(double seconds) {
    if (seconds < 0) return "--:--";
    const auto total = static_cast<long>(seconds + 0.5);
    char buffer[32];
    if (total >= 3600) {
        std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    } else {
        std::snprintf(buffer, sizeof buffer, "%02ld:%02ld", total / 60, total % 60);
    }
    return buffer;
}

// Draws the progress: one line redrawn in place on a terminal, a line per run otherwise.
class ProgressView {
public:
    ProgressView() : terminal_(::isatty(STDERR_FILENO) != 0) {}

    void operator()(const SweepProgress& p) {
        using Phase = SweepProgress::Phase;
        if (terminal_) {
            if (p.phase == Phase::Finished) {
                std::cerr << "\r\033[K";
                return;
            }
            const double fraction = p.run_count ? static_cast<double>(p.run_number - 1) / static_cast<double>(p.run_count) : 0;
            const int width = 24;
            const int filled = static_cast<int>(fraction * width);
            std::string bar = std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(width - filled), '.');
            std::fprintf(stderr, "\r\033[K[%s] run %zu/%zu %s  requests %zu/%zu  elapsed %s  ETA %s", bar.c_str(),
                         p.run_number, p.run_count, p.run_id.c_str(), p.requests_done, p.requests_planned,
                         clock_text(p.elapsed_s).c_str(), clock_text(p.eta_s).c_str());
            if (p.phase == Phase::RunFailed) std::fprintf(stderr, "\n%s failed: %s\n", p.run_id.c_str(), p.message.c_str());
            std::fflush(stderr);
            return;
        }
        switch (p.phase) {
            case Phase::RunFinished:
                std::fprintf(stderr, "[%zu/%zu] %s ok (%zu requests) elapsed %s ETA %s\n", p.run_number, p.run_count,
                             p.run_id.c_str(), p.requests_done, clock_text(p.elapsed_s).c_str(), clock_text(p.eta_s).c_str());
                break;
            case Phase::RunFailed:
                std::fprintf(stderr, "[%zu/%zu] %s failed: %s\n", p.run_number, p.run_count, p.run_id.c_str(),
                             p.message.c_str());
                break;
            case Phase::RunSkipped:
                std::fprintf(stderr, "[%zu/%zu] %s already done\n", p.run_number, p.run_count, p.run_id.c_str());
                break;
            default: break;
        }
    }

private:
    bool terminal_;
};

// Ctrl-C and SIGTERM request a clean stop instead of killing the process; a second Ctrl-C is the same
// request again (the sweep is already stopping).
class InterruptWatcher {
public:
    explicit InterruptWatcher(std::stop_source& source) : source_(source) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        thread_ = std::thread([this, set] {
            const timespec poll{0, 200'000'000};
            while (!done_) {
                if (sigtimedwait(&set, nullptr, &poll) > 0) {
                    std::fprintf(stderr, "\nstopping: finishing requests in flight, keeping finished runs...\n");
                    source_.request_stop();
                }
            }
        });
    }
    ~InterruptWatcher() {
        done_ = true;
        thread_.join();
    }

private:
    std::stop_source& source_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

void print_files(const DeploymentFiles& files, const std::string& what) {
    for (const auto& file : files.files) std::cout << "wrote " << file.string() << '\n';
    for (const auto& note : files.notes) std::cout << "note: " << note << '\n';
    std::cout << "to run the " << what << " files:\n";
    for (const auto& command : files.commands) std::cout << "  " << command << '\n';
}

// Backend compose or kubernetes: write the files, and run compose files where a Docker engine answers.
int deploy(const Experiment& experiment, const DeploymentOptions& options, LaunchBackend backend) {
    if (backend == LaunchBackend::Kubernetes) {
        print_files(write_kubernetes_files(experiment, options), "Kubernetes");
        return 0;
    }
    const DeploymentFiles files = write_compose_files(experiment, options);
    std::string why;
    if (!docker_engine_available(&why)) {
        print_files(files, "compose");
        std::cout << "not run: " << why << "; run the commands above where Docker runs\n";
        return 0;
    }
    for (const auto& file : files.files) std::cout << "wrote " << file.string() << '\n';
    int failures = 0;
    for (const auto& result : run_compose_files(files, options)) {
        std::cout << result.run_id << ": " << (result.status == 0 ? "ok" : "failed (status " + std::to_string(result.status) + ")")
                  << ", log " << result.log_file.string() << '\n';
        failures += result.status != 0;
    }
    std::cout << "results: " << files.directory.string() << "/<run_id>/results/\n";
    return failures ? 1 : 0;
}

}  // namespace

int run_run(const Args& args) {
    ArgParser parser("edgebench run",
                     "Run every configuration of an experiment file (YAML or JSON) and write a tidy result set to "
                     "--out: manifest.json, runs.csv, requests.csv, detections.jsonl, classes.csv, hw.csv, "
                     "summary.csv. Backends: local (nodes as child processes on loopback), netns (each node in its "
                     "own network namespace, links shaped by tc; needs root), compose (writes a Dockerfile and a "
                     "docker-compose.yml per run under --out/compose and runs them where a Docker engine answers), "
                     "kubernetes (writes manifests per run under --out/kubernetes to apply with kubectl). Exit "
                     "status: 0 every run ok; 1 an error stopped the sweep (bad file, unwritable output); 2 bad "
                     "arguments; 3 the sweep finished but some runs failed (--resume redoes them); 130 interrupted "
                     "(Ctrl-C or SIGTERM; --resume continues).");
    parser.positional("EXPERIMENT", "the experiment file")
        .option("out", "DIR", "output folder for the result set")
        .flag("resume", "continue an interrupted sweep in --out: finished runs are skipped")
        .flag("dry-run", "list every configuration with its id and exit")
        .option("monitor-period", "S", "seconds between hardware samples of each node", "1")
        .flag("generate", "only write the compose and Kubernetes files of every run (whatever the backend) and exit")
        .option("image", "NAME", "container image in generated files (default edgebench:<version>)")
        .option("source", "DIR", "edgebench source tree, the image's build context (default: $EDGEBENCH_SOURCE_DIR "
                                 "or the tree this program was built from)");
    if (!parser.parse(args)) return 0;
    const Experiment experiment = Experiment::load(parser.value("EXPERIMENT"));
    DeploymentOptions deployment;
    if (auto out = parser.get("out")) deployment.out_dir = *out;
    if (auto image = parser.get("image")) deployment.image = *image;
    if (auto source = parser.get("source")) deployment.source_dir = *source;
    deployment.monitor_period_s = parser.number("monitor-period");
    if (parser.has("generate")) {
        if (parser.has("dry-run") || parser.has("resume")) throw UsageError("--generate goes without --dry-run and --resume");
        (void)parser.value("out");  // required
        print_files(write_compose_files(experiment, deployment), "compose");
        print_files(write_kubernetes_files(experiment, deployment), "Kubernetes");
        return 0;
    }
    if (parser.has("dry-run")) {
        std::cout << experiment.name() << ": " << experiment.runs().size() << " runs\n";
        for (const auto& run : experiment.runs()) {
            std::string text;
            for (const auto& [axis, value] : run.axes) text += (text.empty() ? "" : "  ") + axis + "=" + value;
            if (text.empty()) {
                for (const auto& [name, value] : run.columns()) {
                    if (name == "detector" || name == "preprocess" || name == "placement") text += name + "=" + value + "  ";
                }
            }
            std::cout << run.run_id << (run.repetition ? " (repetition " + std::to_string(run.repetition + 1) + ")" : "")
                      << "  " << text << '\n';
        }
        return 0;
    }
    // Past a file-size limit, writes fail with EFBIG (reported, handled) instead of killing the process.
    ::signal(SIGXFSZ, SIG_IGN);
    if (!experiment.runs().empty()) {
        const LaunchBackend backend = experiment.runs().front().backend;
        bool same = true;
        for (const auto& run : experiment.runs()) same &= run.backend == backend;
        if (same && (backend == LaunchBackend::Compose || backend == LaunchBackend::Kubernetes)) {
            if (parser.has("resume")) throw UsageError("--resume applies to backends local and netns");
            (void)parser.value("out");
            return deploy(experiment, deployment, backend);
        }
    }
    RunnerOptions options;
    options.out_dir = parser.value("out");
    options.resume = parser.has("resume");
    options.monitor_period_s = parser.number("monitor-period");
    ProgressView view;
    options.on_progress = std::ref(view);
    std::stop_source stop;
    options.stop = stop.get_token();
    SweepResult result;
    {
        InterruptWatcher watcher(stop);
        result = run_experiment(experiment, options);
    }
    std::cout << summary_table(options.out_dir);
    std::fprintf(stdout, "\n%zu runs: %zu ok, %zu failed, %zu already done; %.1f s; between runs: mean %.2f s, max %.2f s\n",
                 result.runs, result.finished, result.failed, result.skipped, result.wall_s, result.mean_gap_s,
                 result.max_gap_s);
    std::fprintf(stdout, "results: %s\n", options.out_dir.string().c_str());
    if (result.interrupted) {
        std::fprintf(stderr, "interrupted; continue with: edgebench run %s --out %s --resume\n",
                     parser.value("EXPERIMENT").c_str(), options.out_dir.string().c_str());
        return 130;
    }
    if (result.failed > 0) {
        std::fprintf(stderr, "%zu of %zu runs failed (their errors are in runs.csv); redo them with: edgebench run %s --out %s --resume\n",
                     result.failed, result.runs, parser.value("EXPERIMENT").c_str(), options.out_dir.string().c_str());
        return 3;
    }
    return 0;
}

}  // namespace edgebench::cli
