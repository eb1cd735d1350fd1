#pragma once
// A node program started by the runner: its own process group (so that a Ctrl-C at the terminal reaches
// the runner, which then stops the nodes in order), killed if the runner dies (PR_SET_PDEATHSIG), output
// to a log file, stopped with SIGTERM and, after a grace period, SIGKILL.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edgebench::detail {

class ChildProcess {
public:
    /// Starts `argv[0]` with `argv`, the current environment plus `environment` ("NAME=value"), stdout and
    /// stderr appended to `log_file`. Throws `Error` when it cannot start.
    ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                 const std::filesystem::path& log_file);
    /// Stops the process (see stop()).
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    /// Whether it still runs (reaps it when it has exited).
    bool running();
    /// Its exit status once it has exited: the code, or 128 + signal.
    std::optional<int> exit_status();
    /// SIGTERM, then SIGKILL after `grace`; waits for it. Returns the exit status.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
    /// SIGKILL at once (to test crashes, or when time is up).
    void kill_now();
    /// The last lines of the log, for error messages.
    std::string log_tail(std::size_t max_bytes = 2000) const;

private:
    void reap(bool wait);
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path log_file_;
};

}  // namespace edgebench::detail
