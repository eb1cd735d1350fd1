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

}  // namespace

int run_run(const Args& args) {
    ArgParser parser("edgebench run",
                     "Run every configuration of an experiment file (YAML or JSON) and write a tidy result set to "
                     "--out: manifest.json, runs.csv, requests.csv, detections.jsonl, classes.csv, hw.csv, "
                     "summary.csv. Nodes run as child processes on loopback (backend local).");
    parser.positional("EXPERIMENT", "the experiment file")
        .option("out", "DIR", "output folder for the result set")
        .flag("resume", "continue an interrupted sweep in --out: finished runs are skipped")
        .flag("dry-run", "list every configuration with its id and exit")
        .option("monitor-period", "S", "seconds between hardware samples of each node", "1");
    if (!parser.parse(args)) return 0;
    const Experiment experiment = Experiment::load(parser.value("EXPERIMENT"));
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
    return 0;
}

}  // namespace edgebench::cli
