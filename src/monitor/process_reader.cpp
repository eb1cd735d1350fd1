#include "monitor/process_reader.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include "edgebench/error.hpp"
#include "monitor/process_stat.hpp"
#include "monitor/process_tree.hpp"

namespace edgebench::detail {
namespace {

double seconds(const timeval& tv) noexcept {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

}  // namespace

ProcessReader::ProcessReader(const HwTarget& target) : target_(target) {
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks > 0) seconds_per_tick_ = 1.0 / static_cast<double>(ticks);
    const long page = ::sysconf(_SC_PAGESIZE);
    if (page > 0) page_size_ = static_cast<std::uint64_t>(page);

    pid_ = target.kind == HwTarget::Kind::Self ? static_cast<int>(::getpid()) : target.pid;
    const std::string dir = target.kind == HwTarget::Kind::Self ? "/proc/self" : "/proc/" + std::to_string(pid_);
    stat_ = ProcFile(dir + "/stat");
    if (target.kind != HwTarget::Kind::Self) {
        if (!stat_.is_open()) throw Error("no process " + std::to_string(pid_) + " (" + stat_.error() + ")", "pid");
        status_ = ProcFile(dir + "/status");
    }
}

std::optional<ProcessReading> ProcessReader::read(std::string& error) {
    return target_.kind == HwTarget::Kind::Self ? read_self(error) : read_other(error);
}

std::optional<ProcessReading> ProcessReader::read_self(std::string& error) {
    // getrusage has microsecond resolution where /proc has clock ticks (10 ms), and costs no parsing.
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) != 0) {
        error = "getrusage failed";
        return std::nullopt;
    }
    ProcessReading reading;
    reading.processes = 1;
    reading.user_s = seconds(usage.ru_utime);
    reading.system_s = seconds(usage.ru_stime);
    reading.rss_peak_bytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // ru_maxrss is in KiB
    const auto text = stat_.read();
    const auto stat = text.ok() ? parse_process_stat(text.text) : std::nullopt;
    if (!stat) {
        error = "/proc/self/stat: " + (text.ok() ? std::string("unexpected format") : text.error);
        return std::nullopt;
    }
    reading.threads = stat->num_threads;
    reading.rss_bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(stat->rss_pages, 0)) * page_size_;
    return reading;
}

std::optional<ProcessReading> ProcessReader::read_other(std::string& error) {
    const auto text = stat_.read();
    const auto root = text.ok() ? parse_process_stat(text.text) : std::nullopt;
    if (!root) {
        // A kept descriptor fails (ESRCH) or reads nothing once the process has been waited for.
        error = "process " + std::to_string(pid_) + " has exited";
        return std::nullopt;
    }
    ProcessReading reading;
    const auto add = [&](const ProcessStat& stat, bool with_children) {
        // Children's times (cutime, cstime) hold the descendants that have exited and been waited for,
        // so a tree's total does not drop when a short-lived child ends. A single process is measured
        // by its own times only.
        const std::uint64_t user = stat.utime + (with_children ? stat.cutime : 0);
        const std::uint64_t system = stat.stime + (with_children ? stat.cstime : 0);
        reading.processes += 1;
        reading.threads += stat.state == 'Z' ? 0 : stat.num_threads;
        reading.user_s += static_cast<double>(user) * seconds_per_tick_;
        reading.system_s += static_cast<double>(system) * seconds_per_tick_;
        reading.rss_bytes += static_cast<std::uint64_t>(std::max<std::int64_t>(stat.rss_pages, 0)) * page_size_;
    };
    if (target_.kind == HwTarget::Kind::Process) {
        add(*root, false);
    } else {
        visit_process_tree(pid_, [&](int pid) {
            if (pid == pid_) {
                add(*root, true);
                return true;
            }
            if (!read_proc_once("/proc/" + std::to_string(pid) + "/stat", scratch_).empty()) return false;
            const auto stat = parse_process_stat(scratch_);
            if (!stat) return false;
            add(*stat, true);
            return true;
        });
    }
    // VmHWM is the kernel's own high-water mark of one process (a zombie has none left); for a tree
    // the highest total seen while sampling is the best available figure (a sum of the members' marks
    // would overstate it).
    std::optional<std::uint64_t> own_peak;
    if (const auto status = status_.read(); status.ok()) own_peak = find_kib_field(status.text, "VmHWM");
    peak_bytes_ = std::max({peak_bytes_, reading.rss_bytes, own_peak.value_or(0)});
    const bool single = target_.kind == HwTarget::Kind::Process;
    reading.rss_peak_bytes = single && own_peak ? *own_peak : peak_bytes_;
    return reading;
}

}  // namespace edgebench::detail
