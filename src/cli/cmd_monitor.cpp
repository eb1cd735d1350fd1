// `edgebench monitor`: runs a command and samples its process tree (CPU, memory, cycles), the host, the
// network namespace and the GPUs while it runs. Exits with the command's status.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "cli/text_table.hpp"
#include "edgebench/error.hpp"
#include "edgebench/hw_monitor.hpp"

namespace edgebench::cli {
namespace {

// Status when the command could not be started (as a shell reports "command not found").
constexpr int kCannotRun = 127;

// The signals the command should get rather than edgebench: while they are blocked here, the main
// thread takes them with sigwaitinfo and the sampling thread (started later, inheriting the mask)
// never sees them.
sigset_t forwarded_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&set, signal);
    return set;
}

// Restores the caller's signal mask on every way out.
class SignalMask {
public:
    explicit SignalMask(const sigset_t& block) { ::pthread_sigmask(SIG_BLOCK, &block, &saved_); }
    ~SignalMask() { ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
    SignalMask(const SignalMask&) = delete;
    SignalMask& operator=(const SignalMask&) = delete;
    const sigset_t& saved() const noexcept { return saved_; }

private:
    sigset_t saved_{};
};

// A forked child that waits for a go-ahead before it execs the command, so that the monitor (and its
// perf counters, armed to start at exec) is ready before the command's first instruction.
class PendingChild {
public:
    PendingChild(const std::vector<std::string>& command, const sigset_t& child_mask) {
        int go[2];
        int exec_status[2];
        if (::pipe2(go, O_CLOEXEC) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
        if (::pipe2(exec_status, O_CLOEXEC) != 0) {
            ::close(go[0]);
            ::close(go[1]);
            throw Error(std::string("pipe: ") + std::strerror(errno));
        }
        // Built before fork: the child may only call async-signal-safe functions.
        std::vector<char*> argv;
        for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
        argv.push_back(nullptr);

        pid_ = ::fork();
        if (pid_ < 0) {
            const int saved = errno;
            for (const int fd : {go[0], go[1], exec_status[0], exec_status[1]}) ::close(fd);
            throw Error(std::string("fork: ") + std::strerror(saved));
        }
        if (pid_ == 0) {
            ::pthread_sigmask(SIG_SETMASK, &child_mask, nullptr);
            ::close(go[1]);
            ::close(exec_status[0]);
            char byte = 0;
            while (::read(go[0], &byte, 1) < 0 && errno == EINTR) {
            }
            if (byte != 'g') ::_exit(kCannotRun);  // edgebench gave up before starting it
            ::execvp(argv[0], argv.data());
            const int error = errno;
            [[maybe_unused]] const auto ignored = ::write(exec_status[1], &error, sizeof(error));
            ::_exit(kCannotRun);
        }
        ::close(go[0]);
        ::close(exec_status[1]);
        go_ = go[1];
        exec_status_ = exec_status[0];
    }

    ~PendingChild() {
        if (go_ >= 0) ::close(go_);  // EOF: the child exits without running the command
        if (exec_status_ >= 0) ::close(exec_status_);
        if (!reaped_) {
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    PendingChild(const PendingChild&) = delete;
    PendingChild& operator=(const PendingChild&) = delete;

    int pid() const noexcept { return pid_; }

    /// Lets the child exec the command; returns errno when exec failed, 0 when it ran.
    int start() {
        const char go = 'g';
        [[maybe_unused]] const auto ignored = ::write(go_, &go, 1);
        ::close(go_);
        go_ = -1;
        int error = 0;
        ssize_t got = 0;
        do {
            got = ::read(exec_status_, &error, sizeof(error));
        } while (got < 0 && errno == EINTR);
        ::close(exec_status_);
        exec_status_ = -1;
        return got == static_cast<ssize_t>(sizeof(error)) ? error : 0;
    }

    /// Waits until the command has exited, forwarding the signals sent to edgebench. The child stays a
    /// zombie (not waited for) so that the last sample can still read its final CPU times.
    void wait_for_exit(const sigset_t& signals) {
        for (;;) {
            siginfo_t exited{};
            if (::waitid(P_PID, static_cast<id_t>(pid_), &exited, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                exited.si_pid == pid_) {
                return;
            }
            siginfo_t info{};
            const int signal = ::sigwaitinfo(&signals, &info);
            if (signal < 0 || signal == SIGCHLD) continue;
            // A terminal's Ctrl-C reaches the whole foreground process group, the command included;
            // only a signal sent to edgebench alone (kill, a runner stopping the node) is passed on.
            if (info.si_code == SI_USER || info.si_code == SI_QUEUE) ::kill(pid_, signal);
        }
    }

    /// Reaps the child and returns its exit status in the shell's convention (128 + signal).
    int reap() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
        return 1;
    }

private:
    pid_t pid_ = -1;
    int go_ = -1;
    int exec_status_ = -1;
    bool reaped_ = false;
};

std::string mebibytes(std::uint64_t bytes) { return fixed(static_cast<double>(bytes) / (1024.0 * 1024.0), 1) + " MiB"; }

// Running totals for the summary line, so that no sample has to be kept.
struct Summary {
    std::uint64_t samples = 0;
    double seconds = 0;
    std::optional<double> user_s;
    std::optional<double> system_s;
    std::optional<std::uint64_t> rss_peak_bytes;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;

    void add(const HwSample& s) {
        ++samples;
        seconds += s.interval_s;
        rx_bytes += s.net_rx_bytes.value_or(0);
        tx_bytes += s.net_tx_bytes.value_or(0);
        // Cumulative figures: the last sample that has them holds the totals.
        if (s.cpu_user_s) user_s = s.cpu_user_s;
        if (s.cpu_system_s) system_s = s.cpu_system_s;
        if (s.rss_peak_bytes) rss_peak_bytes = s.rss_peak_bytes;
    }
};

void print_summary(const Summary& summary, const HwMonitor& monitor, const std::string& out) {
    std::cerr << "edgebench monitor: " << summary.samples << " samples over " << fixed(summary.seconds, 2) << " s";
    if (summary.user_s && summary.system_s) {
        std::cerr << "; CPU " << fixed(*summary.user_s, 2) << " s user, " << fixed(*summary.system_s, 2) << " s system";
    }
    if (summary.rss_peak_bytes) std::cerr << "; peak RSS " << mebibytes(*summary.rss_peak_bytes);
    std::cerr << "; network " << mebibytes(summary.rx_bytes) << " received, " << mebibytes(summary.tx_bytes) << " sent";
    if (!out.empty()) std::cerr << "; wrote " << out;
    std::cerr << '\n';
    // What could not be read, grouped by reason, once each.
    std::map<std::string, std::string> by_reason;
    for (const auto& [field, reason] : monitor.reasons()) {
        auto& fields = by_reason[reason];
        fields += (fields.empty() ? "" : ", ") + field;
    }
    for (const auto& [reason, fields] : by_reason) std::cerr << "  " << fields << ": " << reason << '\n';
}

}  // namespace

int run_monitor(const Args& args) {
    ArgParser parser("edgebench monitor",
                     "Run COMMAND and sample its process tree (CPU time and utilisation, memory, threads, CPU "
                     "cycles and instructions where perf events are allowed), the host's CPU and memory, the "
                     "network traffic of its namespace and the GPUs (through NVML) until it exits. Writes one "
                     "CSV row per sample and exits with the command's status (127 when it cannot be started, "
                     "128+N when signal N ended it; 2 for bad usage, 1 for other failures).");
    parser.option("period", "SECONDS", "time between samples, 0.01 to 3600", "1")
        .option("out", "FILE.csv", "write the samples here (columns: see the README)")
        .option("net-out", "FILE.csv", "also write per-interface traffic here (one row per sample and interface)")
        .option("node", "NAME", "node name in each row (default: the host name)")
        .flag("append", "append to existing files (with the same columns) instead of replacing them")
        .flag("no-perf", "do not open perf counters (cycles and instructions stay empty)")
        .flag("no-gpu", "do not load NVML (GPU columns stay empty)")
        .flag("quiet", "no summary on stderr")
        .allow_rest("COMMAND", "the program to run and its arguments");
    if (!parser.parse(args)) return 0;
    if (parser.rest().empty()) throw UsageError("missing the command to run: edgebench monitor [options] -- COMMAND...");

    HwMonitorOptions options;
    const double period = parser.number("period");
    options.period = std::chrono::microseconds(static_cast<long long>(std::llround(period * 1e6)));
    options.node = parser.get("node").value_or("");
    options.perf = !parser.has("no-perf");
    options.gpu = !parser.has("no-gpu");
    options.perf_enable_on_exec = true;
    options.keep_samples = 0;  // the summary needs only running totals
    options.target = HwTarget::tree(1);  // checked here with a placeholder pid; the child's is set below
    try {
        options.validate();
    } catch (const Error& error) {
        throw UsageError(std::string("--") + error.field() + ": " + error.message());
    }

    const sigset_t signals = forwarded_signals();
    const SignalMask mask(signals);
    PendingChild child(parser.rest(), mask.saved());
    options.target = HwTarget::tree(child.pid());
    HwMonitor monitor(options);
    const std::string out = parser.get("out").value_or("");
    if (!out.empty()) monitor.write_csv(out, parser.get("net-out").value_or(""), parser.has("append"));
    Summary summary;  // written by the sampling thread until stop(), read after it
    monitor.on_sample([&summary](const HwSample& sample) { summary.add(sample); });

    // start() returns once exec has happened, so the first interval and a tree's peak memory begin with
    // the command, not with the copy of edgebench that fork made.
    if (const int error = child.start(); error != 0) {
        child.reap();
        std::cerr << "edgebench monitor: cannot run '" << parser.rest().front() << "': " << std::strerror(error) << '\n';
        return kCannotRun;
    }
    monitor.start();
    child.wait_for_exit(signals);
    monitor.stop();  // the last sample sees the command's final CPU times
    const int status = child.reap();
    if (!parser.has("quiet")) print_summary(summary, monitor, out);
    return status;
}

}  // namespace edgebench::cli
