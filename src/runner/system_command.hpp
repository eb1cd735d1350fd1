#pragma once
// Runs a system tool (ip, tc, docker) to completion and captures what it printed. The tool gets its own
// process group and an empty signal mask: a Ctrl-C at the terminal reaches the runner only, so that the
// runner's cleanup commands are never cut short by the very signal that asked for the cleanup.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edgebench::detail {

struct CommandOutput {
    int status = -1;      ///< exit code; 128 + signal when killed; -1 when it could not start
    std::string output;   ///< stdout and stderr together
    bool timed_out = false;
    bool ok() const noexcept { return status == 0; }
};

/// Runs `argv` (argv[0] a full path) with the current environment; kills it (SIGKILL) after `timeout`.
CommandOutput run_system_command(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// The folders of $PATH, in order (empty entries included; empty when PATH is unset).
std::vector<std::string> path_directories();

/// A system program by name: PATH first, then /usr/sbin, /sbin, /usr/bin, /bin (root's tools are often
/// outside a user's PATH). Empty when it is nowhere.
std::optional<std::filesystem::path> find_system_program(const std::string& name);

/// `argv` as a shell-quoted line, for messages and printed instructions.
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace edgebench::detail
