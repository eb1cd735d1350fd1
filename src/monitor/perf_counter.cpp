#include "monitor/perf_counter.hpp"

#include <dirent.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include "monitor/proc_file.hpp"

namespace edgebench::detail {
namespace {

// A process with more threads than this is counted on its first threads only (and their offspring).
constexpr std::size_t kMaxThreads = 1024;

int perf_event_open(perf_event_attr& attr, int tid) noexcept {
    return static_cast<int>(::syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

std::string paranoid_level() {
    std::string text;
    if (!read_proc_once("/proc/sys/kernel/perf_event_paranoid", text).empty()) return "?";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

}  // namespace

std::string perf_open_error_text(int error_number) {
    switch (error_number) {
        case ENOENT:
        case EOPNOTSUPP:
            return "perf_event_open: no hardware counter for this event (the CPU or hypervisor exposes no PMU "
                   "to this kernel)";
        case EACCES:
        case EPERM:
            return "perf_event_open: not permitted (kernel.perf_event_paranoid=" + paranoid_level() +
                   "; a container's seccomp profile may also forbid it)";
        case ENOSYS: return "perf_event_open: the kernel has no perf events support";
        case ESRCH: return "perf_event_open: the process has gone";
        case EMFILE:
        case ENFILE: return "perf_event_open: out of file descriptors";
        default: return std::string("perf_event_open: ") + std::strerror(error_number);
    }
}

std::vector<int> thread_ids(int pid) {
    std::vector<int> tids;
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    const std::unique_ptr<DIR, int (*)(DIR*)> tasks(::opendir(dir.c_str()), &::closedir);
    if (!tasks) return tids;
    while (const dirent* entry = ::readdir(tasks.get())) {
        const std::string_view name = entry->d_name;
        int tid = 0;
        const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), tid);
        if (error == std::errc() && end == name.data() + name.size() && tid > 0) tids.push_back(tid);
    }
    return tids;
}

PerfCounter PerfCounter::open(const PerfEventSpec& spec, const std::vector<int>& tids, std::string& error,
                              std::string& note) {
    PerfCounter counter;
    if (tids.empty()) {
        error = "perf_event_open: the process has gone";
        return counter;
    }
    perf_event_attr attr{};
    attr.size = sizeof(attr);
    attr.type = spec.type;
    attr.config = spec.config;
    attr.inherit = 1;
    attr.enable_on_exec = spec.enable_on_exec ? 1 : 0;
    attr.disabled = spec.enable_on_exec ? 1 : 0;
    // The times let read() scale the count up when the kernel shares the PMU between events.
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    bool user_only = false;
    for (std::size_t i = 0; i < tids.size() && i < kMaxThreads; ++i) {
        UniqueFd fd(perf_event_open(attr, tids[i]));
        if (!fd && (errno == EACCES || errno == EPERM) && !user_only) {
            // perf_event_paranoid >= 2 still lets a process count its own user-space events.
            attr.exclude_kernel = 1;
            attr.exclude_hv = 1;
            user_only = true;
            fd.reset(perf_event_open(attr, tids[i]));
        }
        if (!fd) {
            if (errno == ESRCH) continue;  // that thread ended meanwhile
            error = perf_open_error_text(errno);
            counter.fds_.clear();
            return counter;
        }
        counter.fds_.push_back(std::move(fd));
    }
    if (counter.fds_.empty()) {
        error = "perf_event_open: the process has gone";
        return counter;
    }
    if (user_only) {
        note = "counts user space only (kernel.perf_event_paranoid=" + paranoid_level() + ")";
    }
    return counter;
}

std::optional<std::uint64_t> PerfCounter::read(std::string& error) const {
    std::uint64_t total = 0;
    for (const auto& fd : fds_) {
        std::uint64_t values[3] = {};  // value, time enabled, time running
        const ssize_t got = ::read(fd.get(), values, sizeof(values));
        if (got != static_cast<ssize_t>(sizeof(values))) {
            error = std::string("perf counter read failed: ") + (got < 0 ? std::strerror(errno) : "short read");
            return std::nullopt;
        }
        if (values[2] == 0) continue;  // never scheduled (e.g. not exec'd yet)
        if (values[2] < values[1]) {
            total += static_cast<std::uint64_t>(static_cast<double>(values[0]) * static_cast<double>(values[1]) /
                                                static_cast<double>(values[2]));
        } else {
            total += values[0];
        }
    }
    return total;
}

}  // namespace edgebench::detail
