#pragma once
// What a netns sweep has created, on disk, so that a sweep killed with SIGKILL can be cleaned up by
// `edgebench netns cleanup`. The state is written before each namespace or root link is created (so the
// file lists a superset of what exists) and after each is removed. It lives in <out>/netns-state.json and
// is mirrored under /run/edgebench/netns/<sweep id>.json, where `cleanup --all` finds the sweeps of the
// host without knowing their output folders, and tells a crashed sweep from a running one by its runner's
// pid and that process's start time (pids are reused).

#include <filesystem>
#include <string>
#include <vector>

namespace edgebench::detail {

struct NetnsState {
    std::string sweep_id;
    int pid = 0;                      ///< the runner
    unsigned long long pid_start = 0; ///< its start time in clock ticks since boot (/proc/PID/stat)
    std::string out_dir;
    std::vector<std::string> namespaces;
    std::vector<std::string> links;   ///< root-namespace link names

    std::string to_json() const;
    /// Reads a state file; throws `Error` naming the file when it is unreadable.
    static NetnsState read(const std::filesystem::path& file);
    /// Whether the runner that wrote it still runs.
    bool owner_alive() const;
};

std::filesystem::path netns_state_file(const std::filesystem::path& out_dir);
/// /run/edgebench/netns: where every sweep's registry copy of its state lives.
std::filesystem::path netns_registry_directory();
std::filesystem::path netns_registry_file(const std::string& sweep_id);
/// The start time of process `pid` (field 22 of /proc/PID/stat); 0 when it does not exist or has exited
/// (a zombie).
unsigned long long process_start_ticks(int pid);

class NetnsLedger {
public:
    /// Writes an empty state for `sweep_id` owned by this process.
    NetnsLedger(const std::filesystem::path& out_dir, const std::string& sweep_id);
    /// Removes the state files when everything listed was removed; keeps them otherwise.
    ~NetnsLedger();
    NetnsLedger(const NetnsLedger&) = delete;
    NetnsLedger& operator=(const NetnsLedger&) = delete;

    const std::string& sweep_id() const noexcept { return state_.sweep_id; }
    void will_create_namespace(const std::string& name);
    void removed_namespace(const std::string& name);
    void will_create_link(const std::string& name);
    void removed_link(const std::string& name);

private:
    void save();
    NetnsState state_;
    std::filesystem::path file_;
    std::filesystem::path registry_file_;
};

}  // namespace edgebench::detail
