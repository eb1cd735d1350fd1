#include "monitor/sampler.hpp"

#include <linux/perf_event.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "internal/host_name.hpp"
#include "monitor/net_dev.hpp"
#include "monitor/process_stat.hpp"

namespace edgebench::detail {
namespace {

double clock_seconds(clockid_t clock) noexcept {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::uint64_t counter_delta(std::uint64_t now, std::uint64_t then) noexcept { return now >= then ? now - then : 0; }

constexpr std::array kProcessFields = {"processes", "threads", "cpu_user_s", "cpu_system_s",
                                       "cpu_util_pct", "rss_bytes", "rss_peak_bytes"};
constexpr std::array kHostMemFields = {"host_mem_total_bytes", "host_mem_used_bytes", "host_mem_available_bytes"};
constexpr std::array kNetFields = {"net_rx_bytes", "net_tx_bytes", "net_rx_packets", "net_tx_packets"};
constexpr std::array kGpuFields = {"gpu_count", "gpu_mem_used_bytes", "gpu_mem_total_bytes", "gpu_util_pct"};
constexpr const char* kNoBaseline = "no earlier reading to measure the interval from";

template <std::size_t N>
void note_all(std::vector<FieldNote>& notes, const std::array<const char*, N>& fields, const std::string& reason) {
    for (const char* field : fields) notes.push_back({field, reason});
}

}  // namespace

double monotonic_seconds() noexcept { return clock_seconds(CLOCK_MONOTONIC); }
double unix_seconds() noexcept { return clock_seconds(CLOCK_REALTIME); }
double thread_cpu_seconds() noexcept { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }

Sampler::Sampler(const HwMonitorOptions& options)
    : node_(options.node.empty() ? host_name() : options.node),
      process_(options.target),
      perf_enabled_(options.perf),
      host_stat_("/proc/stat"),
      meminfo_("/proc/meminfo"),
      // The target's own view, so that a node in its own network namespace sees only its traffic. A
      // descriptor kept open keeps the namespace readable after the target has exited.
      net_dev_(options.target.kind == HwTarget::Kind::Self ? "/proc/self/net/dev"
                                                            : "/proc/" + std::to_string(process_.pid()) + "/net/dev") {
    if (perf_enabled_) {
        const auto tids = thread_ids(process_.pid());
        cycles_ = PerfCounter::open({PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, options.perf_enable_on_exec}, tids,
                                    cycles_error_, perf_note_);
        instructions_ = PerfCounter::open({PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, options.perf_enable_on_exec},
                                          tids, instructions_error_, perf_note_);
    } else {
        cycles_error_ = instructions_error_ = "perf counting is off (HwMonitorOptions::perf)";
    }
    if (options.gpu) nvml_ = std::make_unique<Nvml>();
    reset_baseline();
}

Sampler::Counters Sampler::read_counters(std::vector<FieldNote>* notes) {
    Counters counters;
    std::string error;
    counters.process = process_.read(error);
    if (!counters.process && notes) note_all(*notes, kProcessFields, error);

    if (cycles_.is_open()) {
        error.clear();
        counters.cycles = cycles_.read(error);
        if (!counters.cycles && notes) notes->push_back({"cycles", error});
    } else if (notes) {
        notes->push_back({"cycles", cycles_error_});
    }
    if (instructions_.is_open()) {
        error.clear();
        counters.instructions = instructions_.read(error);
        if (!counters.instructions && notes) notes->push_back({"instructions", error});
    } else if (notes) {
        notes->push_back({"instructions", instructions_error_});
    }
    if (notes && !perf_note_.empty() && (counters.cycles || counters.instructions)) {
        notes->push_back({"cycles", perf_note_});
    }

    const auto stat = host_stat_.read();
    if (stat.ok()) counters.host_cpu = parse_host_cpu(stat.text);
    if (!counters.host_cpu && notes) {
        notes->push_back({"host_cpu_util_pct", "/proc/stat: " + (stat.ok() ? std::string("unexpected format") : stat.error)});
    }

    const auto net = net_dev_.read();
    std::vector<HwNetInterface> interfaces;
    if (net.ok() && parse_net_dev(net.text, interfaces)) {
        counters.net = std::move(interfaces);
    } else if (notes) {
        note_all(*notes, kNetFields, net_dev_.path() + ": " + (net.ok() ? std::string("unexpected format") : net.error));
    }
    return counters;
}

void Sampler::reset_baseline() {
    baseline_.mono_s = monotonic_seconds();  // taken before the reads, as in sample()
    process_.reset_peak();
    auto counters = read_counters(nullptr);
    baseline_.cpu_s = counters.process ? std::optional(counters.process->user_s + counters.process->system_s)
                                       : std::nullopt;
    baseline_.cycles = counters.cycles;
    baseline_.instructions = counters.instructions;
    baseline_.host_cpu = counters.host_cpu;
    baseline_.net = std::move(counters.net);
}

HwSample Sampler::sample(bool advance, std::vector<FieldNote>& notes) {
    notes.clear();
    HwSample s;
    s.mono_s = monotonic_seconds();
    s.time_unix_s = unix_seconds();
    s.node = node_;
    s.interval_s = std::max(0.0, s.mono_s - baseline_.mono_s);
    s.pid = process_.pid();
    auto counters = read_counters(&notes);
    const bool has_interval = s.interval_s > 0;

    std::optional<double> cpu_s;
    if (const auto& p = counters.process) {
        s.processes = p->processes;
        s.threads = p->threads;
        s.cpu_user_s = p->user_s;
        s.cpu_system_s = p->system_s;
        s.rss_bytes = p->rss_bytes;
        s.rss_peak_bytes = p->rss_peak_bytes;
        cpu_s = p->user_s + p->system_s;
        if (baseline_.cpu_s && has_interval) {
            s.cpu_util_pct = std::max(0.0, *cpu_s - *baseline_.cpu_s) / s.interval_s * 100.0;
        } else {
            notes.push_back({"cpu_util_pct", kNoBaseline});
        }
    }
    if (counters.cycles) {
        if (baseline_.cycles) s.cycles = counter_delta(*counters.cycles, *baseline_.cycles);
        else notes.push_back({"cycles", kNoBaseline});
    }
    if (counters.instructions) {
        if (baseline_.instructions) s.instructions = counter_delta(*counters.instructions, *baseline_.instructions);
        else notes.push_back({"instructions", kNoBaseline});
    }
    if (counters.host_cpu) {
        if (baseline_.host_cpu) s.host_cpu_util_pct = host_cpu_util_pct(*baseline_.host_cpu, *counters.host_cpu);
        // No tick passed between the two readings (intervals under 10 ms): report the host as idle
        // would be wrong, so leave it null.
        if (!s.host_cpu_util_pct) notes.push_back({"host_cpu_util_pct", kNoBaseline});
    }

    const auto mem = meminfo_.read();
    const auto total = mem.ok() ? find_kib_field(mem.text, "MemTotal") : std::nullopt;
    const auto available = mem.ok() ? find_kib_field(mem.text, "MemAvailable") : std::nullopt;
    if (total && available) {
        s.host_mem_total_bytes = *total;
        s.host_mem_available_bytes = *available;
        s.host_mem_used_bytes = *total >= *available ? *total - *available : 0;
    } else {
        note_all(notes, kHostMemFields,
                 "/proc/meminfo: " + (mem.ok() ? std::string("no MemTotal/MemAvailable (kernel before 3.14?)") : mem.error));
    }

    if (counters.net) {
        if (baseline_.net) {
            s.interfaces = net_delta(*baseline_.net, *counters.net);
            s.net_rx_bytes = s.net_tx_bytes = s.net_rx_packets = s.net_tx_packets = 0;
            for (const auto& interface : s.interfaces) {
                *s.net_rx_bytes += interface.rx_bytes;
                *s.net_tx_bytes += interface.tx_bytes;
                *s.net_rx_packets += interface.rx_packets;
                *s.net_tx_packets += interface.tx_packets;
            }
        } else {
            note_all(notes, kNetFields, kNoBaseline);
        }
    }

    if (!nvml_) {
        note_all(notes, kGpuFields, "GPU sampling is off (HwMonitorOptions::gpu)");
    } else if (!nvml_->available()) {
        note_all(notes, kGpuFields, nvml_->error());
    } else {
        std::string error;
        s.gpus = nvml_->read(error);
        if (!error.empty()) notes.push_back({"gpu_mem_used_bytes", error});
        s.gpu_count = static_cast<std::uint32_t>(s.gpus.size());
        double util_sum = 0;
        std::size_t util_count = 0;
        for (const auto& gpu : s.gpus) {
            if (gpu.mem_used_bytes) s.gpu_mem_used_bytes = s.gpu_mem_used_bytes.value_or(0) + *gpu.mem_used_bytes;
            if (gpu.mem_total_bytes) s.gpu_mem_total_bytes = s.gpu_mem_total_bytes.value_or(0) + *gpu.mem_total_bytes;
            if (gpu.util_pct) {
                util_sum += *gpu.util_pct;
                ++util_count;
            }
        }
        if (util_count > 0) s.gpu_util_pct = util_sum / static_cast<double>(util_count);
        if (s.gpus.empty()) {
            const std::string why = nvml_->error().empty() ? "NVML found no GPU" : nvml_->error();
            note_all(notes, std::array{"gpu_mem_used_bytes", "gpu_mem_total_bytes", "gpu_util_pct"}, why);
        }
    }

    if (advance) {
        baseline_.mono_s = s.mono_s;
        baseline_.cpu_s = cpu_s;
        baseline_.cycles = counters.cycles;
        baseline_.instructions = counters.instructions;
        baseline_.host_cpu = counters.host_cpu;
        baseline_.net = std::move(counters.net);
    }
    return s;
}

}  // namespace edgebench::detail
