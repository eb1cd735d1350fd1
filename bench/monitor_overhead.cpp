// What sampling costs: the CPU time of HwMonitor's sampling thread (its own thread clock, which includes
// writing the CSV rows) and of the whole process (with the main thread asleep), as a percentage of one
// core, at 1, 10 and 100 Hz. The goal is under 0.5 % of one core at 10 Hz. Then one sample of this
// host, field by field, with the reason for every field that is null (perf events, GPUs).
//
//   bench_monitor_overhead [--seconds S]     (S seconds per rate, default 10)
//
// It needs only libc (no OpenCV), so it can also be built on its own for a bare machine:
//   g++ -O2 -std=c++20 -Iinclude -Isrc -Ibuild/generated bench/monitor_overhead.cpp src/monitor/*.cpp
//       src/core/error.cpp -static-libstdc++ -static-libgcc -pthread -ldl -o monitor_overhead

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "edgebench/hw_csv.hpp"
#include "edgebench/hw_monitor.hpp"

namespace {

double process_cpu_s() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

template <typename T>
std::string show(const std::optional<T>& value, const edgebench::HwMonitor& monitor, const char* field) {
    if (value) return std::to_string(*value);
    return "null (" + monitor.reason(field).value_or("no reason recorded") + ")";
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 10;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = std::atof(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: %s [--seconds S]\n", argv[0]);
            return 2;
        }
    }
    const auto dir = std::filesystem::temp_directory_path() / ("edgebench-monitor-bench-" + std::to_string(::getpid()));
    std::printf("HwMonitor overhead: sampling this (idle) process for %.1f s per rate, writing hw.csv and net.csv\n\n",
                seconds);
    std::printf("%8s %8s %14s %16s %18s %14s\n", "rate Hz", "samples", "sampler CPU ms", "% core (thread)",
                "% core (process)", "us per sample");
    for (const double hz : {1.0, 10.0, 100.0}) {
        edgebench::HwMonitorOptions options;
        options.period = std::chrono::microseconds(static_cast<long long>(1e6 / hz));
        options.node = "bench";
        edgebench::HwMonitor monitor(options);
        monitor.write_csv(dir / "hw.csv", dir / "net.csv");
        const double cpu_before = process_cpu_s();
        const auto wall_before = std::chrono::steady_clock::now();
        monitor.start();
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        monitor.stop();
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
        const double process_cpu = process_cpu_s() - cpu_before;
        const auto samples = monitor.samples();
        const double thread_cpu = samples.empty() ? 0 : samples.back().monitor_cpu_s;
        std::printf("%8.0f %8zu %14.2f %16.3f %18.3f %14.1f\n", hz, samples.size(), thread_cpu * 1e3,
                    100.0 * thread_cpu / wall, 100.0 * process_cpu / wall,
                    samples.empty() ? 0.0 : thread_cpu * 1e6 / static_cast<double>(samples.size()));
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);

    edgebench::HwMonitorOptions options;
    options.period = std::chrono::milliseconds(200);
    edgebench::HwMonitor monitor(options);
    monitor.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(450));
    monitor.stop();
    const auto s = monitor.samples().back();
    std::printf("\nOne sample of this host (node %s, interval %.3f s):\n", s.node.c_str(), s.interval_s);
    std::printf("  cpu_user_s %s, cpu_util_pct %s, rss_bytes %s, threads %s\n",
                show(s.cpu_user_s, monitor, "cpu_user_s").c_str(), show(s.cpu_util_pct, monitor, "cpu_util_pct").c_str(),
                show(s.rss_bytes, monitor, "rss_bytes").c_str(), show(s.threads, monitor, "threads").c_str());
    std::printf("  cycles %s\n  instructions %s\n", show(s.cycles, monitor, "cycles").c_str(),
                show(s.instructions, monitor, "instructions").c_str());
    std::printf("  host_cpu_util_pct %s, host_mem_used_bytes %s of %s\n",
                show(s.host_cpu_util_pct, monitor, "host_cpu_util_pct").c_str(),
                show(s.host_mem_used_bytes, monitor, "host_mem_used_bytes").c_str(),
                show(s.host_mem_total_bytes, monitor, "host_mem_total_bytes").c_str());
    std::printf("  net_rx_bytes %s, net_tx_bytes %s (%zu interfaces)\n", show(s.net_rx_bytes, monitor, "net_rx_bytes").c_str(),
                show(s.net_tx_bytes, monitor, "net_tx_bytes").c_str(), s.interfaces.size());
    std::printf("  gpu_count %s\n  gpu_mem_used_bytes %s\n  gpu_mem_total_bytes %s\n  gpu_util_pct %s\n",
                show(s.gpu_count, monitor, "gpu_count").c_str(), show(s.gpu_mem_used_bytes, monitor, "gpu_mem_used_bytes").c_str(),
                show(s.gpu_mem_total_bytes, monitor, "gpu_mem_total_bytes").c_str(),
                show(s.gpu_util_pct, monitor, "gpu_util_pct").c_str());
    for (const auto& gpu : s.gpus) {
        std::printf("    GPU %u: %s of %s bytes used, %s %% busy\n", gpu.index,
                    gpu.mem_used_bytes ? std::to_string(*gpu.mem_used_bytes).c_str() : "?",
                    gpu.mem_total_bytes ? std::to_string(*gpu.mem_total_bytes).c_str() : "?",
                    gpu.util_pct ? std::to_string(*gpu.util_pct).c_str() : "?");
    }
    return 0;
}
