// main() of bench_detector: runs the registered benchmarks (by default 5 interleaved repetitions, as the
// machine may be busy) and then prints the wrapper overhead of every model that has both a
// "forward/NAME" benchmark (the bare forward pass on a prepared input) and a "detect/NAME" benchmark
// (Detector::detect() on the same images: preparation, forward pass, decoding and NMS).
//
//   bench_detector                          all models, overhead summary at the end
//   bench_detector --benchmark_filter=nano  the usual Google Benchmark flags work

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

// Console output as usual, and the runs kept for the summary.
class OverheadReporter final : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& run : runs) {
            if (run.error_occurred) continue;
            auto& entry = entries_[run.run_name.function_name];
            if (run.run_type == Run::RT_Aggregate) {
                if (run.aggregate_name == "median") entry.median_ms = run.GetAdjustedRealTime();
            } else {
                entry.sum_ms += run.GetAdjustedRealTime();
                ++entry.repetitions;
                for (const char* counter : {"prepare_ms", "forward_ms", "post_ms", "detect_ms", "overhead_pct"}) {
                    if (const auto found = run.counters.find(counter); found != run.counters.end()) {
                        entry.counters[counter] += found->second.value;
                    }
                }
            }
        }
    }

    void PrintSummary() const {
        PrintBenchmarkPairs();
        PrintPaired();
    }

private:
    // "paired/NAME": per-image back-to-back timings, already reduced to medians by the benchmark.
    void PrintPaired() const {
        bool header = false;
        for (const auto& [name, entry] : entries_) {
            if (name.rfind("paired/", 0) != 0) continue;
            if (!header) {
                std::printf("\npaired on each image (medians; the steadiest figure on a busy machine):\n");
                std::printf("%-20s %11s %10s %9s\n", "model", "forward ms", "detect ms", "overhead");
                header = true;
            }
            std::printf("%-20s %11.2f %10.2f %+8.1f%%\n", name.substr(std::strlen("paired/")).c_str(),
                        entry.counter("forward_ms"), entry.counter("detect_ms"), entry.counter("overhead_pct"));
        }
    }

    void PrintBenchmarkPairs() const {
        bool header = false;
        for (const auto& [name, forward] : entries_) {
            if (name.rfind("forward/", 0) != 0) continue;
            const std::string model = name.substr(std::strlen("forward/"));
            const auto detect = entries_.find("detect/" + model);
            if (detect == entries_.end()) continue;
            if (!header) {
                std::printf("\ndetector overhead: detect() vs bare forward() on the same inputs, real time per image (%s);\n"
                            "right of |: detect()'s own split of the same calls (mean), in-call = (prepare + post) / forward\n",
                            forward.median_ms > 0 ? "median of the repetitions" : "mean of the repetitions");
                std::printf("%-20s %11s %10s %9s | %10s %10s %8s %9s\n", "model", "forward ms", "detect ms",
                            "overhead", "prepare ms", "forward ms", "post ms", "in-call");
                header = true;
            }
            const double f = forward.time_ms();
            const double d = detect->second.time_ms();
            const double prepare = detect->second.counter("prepare_ms");
            const double inner_forward = detect->second.counter("forward_ms");
            const double post = detect->second.counter("post_ms");
            std::printf("%-20s %11.2f %10.2f %+8.1f%% | %10.2f %10.2f %8.2f %+8.1f%%\n", model.c_str(), f, d,
                        100.0 * (d - f) / f, prepare, inner_forward, post,
                        inner_forward > 0 ? 100.0 * (prepare + post) / inner_forward : 0.0);
        }
    }

    struct Entry {
        double median_ms = 0;
        double sum_ms = 0;
        int repetitions = 0;
        std::map<std::string, double> counters;

        double time_ms() const { return median_ms > 0 ? median_ms : sum_ms / std::max(repetitions, 1); }
        double counter(const std::string& name) const {
            const auto found = counters.find(name);
            return found == counters.end() ? 0.0 : found->second / std::max(repetitions, 1);
        }
    };
    std::map<std::string, Entry> entries_;
};

bool has_flag(const std::vector<char*>& args, const char* prefix) {
    for (const char* arg : args) {
        if (std::strncmp(arg, prefix, std::strlen(prefix)) == 0) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<char*> args(argv, argv + argc);
    std::string repetitions = "--benchmark_repetitions=5";
    std::string interleave = "--benchmark_enable_random_interleaving=true";
    if (!has_flag(args, "--benchmark_repetitions")) args.push_back(repetitions.data());
    if (!has_flag(args, "--benchmark_enable_random_interleaving")) args.push_back(interleave.data());
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
    OverheadReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.PrintSummary();
    benchmark::Shutdown();
    return 0;
}
