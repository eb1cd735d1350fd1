#pragma once
// Real programs as child processes for the end-to-end and robustness tests: start with arguments, read
// the port a node picked (--port 0 --port-file), signal, wait for the exit status. No mocks: the tests
// talk HTTP on loopback to the very executables users run.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace edgebench::test {

/// Paths of the programs under test: EDGEBENCH_EDGE_BIN, EDGEBENCH_CLOUD_BIN, EDGEBENCH_WORKLOAD_BIN when
/// set, otherwise the programs of this build (tests/CMakeLists.txt compiles their paths in).
std::string edge_program();
std::string cloud_program();
std::string workload_program();

/// A child process; killed (SIGKILL) and reaped on destruction if it is still running.
class ChildProcess {
public:
    /// Starts `argv[0]` with `argv`, stdout and stderr going to `log_file`, with the parent's environment
    /// plus `env`.
    ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_file,
                 const std::map<std::string, std::string>& env = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    void send_signal(int signal) const;
    /// Waits for the exit; returns the exit status, 128 + signal when killed by a signal, or -1 when it
    /// is still running at `timeout`.
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    bool running();
    /// What the process wrote so far.
    std::string log() const;

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = -1;
    std::filesystem::path log_file_;
};

/// An edgebench-edge or edgebench-cloud process listening on a free loopback port.
class NodeProcess {
public:
    /// Starts `program` with `--port 0 --port-file` plus `args`, and waits until the port is known and
    /// GET /healthz answers (with `token` when given). Throws when it does not come up.
    NodeProcess(const std::string& program, const std::vector<std::string>& args, const std::filesystem::path& work_dir,
                const std::string& name, const std::string& token = {});

    const std::string& url() const noexcept { return url_; }
    int port() const noexcept { return port_; }
    ChildProcess& process() noexcept { return *process_; }
    /// SIGTERM, then the exit status.
    int stop(int signal = 15);

private:
    std::unique_ptr<ChildProcess> process_;
    int port_ = 0;
    std::string url_;
};

/// Rows of a CSV file (RFC 4180 quoting) as column -> cell maps.
std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& file);

}  // namespace edgebench::test
