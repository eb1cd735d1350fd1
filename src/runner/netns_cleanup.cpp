// cleanup_netns / cleanup_all_netns: remove what netns sweeps left behind, by state file and by name.

#include <signal.h>

#include <optional>
#include <set>

#include "edgebench/error.hpp"
#include "edgebench/netns.hpp"
#include "internal/first_line.hpp"
#include "runner/netns_ledger.hpp"
#include "runner/netns_tools.hpp"

namespace edgebench {
namespace {

using detail::first_line;
using detail::NetnsState;
using detail::NetnsTools;

// Removes every root link and namespace of sweep `id` (those found by name plus those `state` lists),
// then the sweep's state files.
void remove_sweep(const NetnsTools& tools, const std::string& id, const NetnsState* state,
                  const std::filesystem::path& state_file, NetnsCleanupReport& report) {
    std::set<std::string> links;
    std::set<std::string> namespaces;
    for (const auto& name : tools.root_links()) {
        if (detail::sweep_of_root_link(name) == id) links.insert(name);
    }
    const auto existing = tools.namespaces();
    const std::set<std::string> existing_set(existing.begin(), existing.end());
    for (const auto& name : existing) {
        if (detail::sweep_of_namespace(name) == id) namespaces.insert(name);
    }
    if (state) {
        // The state lists names before they exist: only those that do are removed.
        for (const auto& name : state->namespaces) {
            if (existing_set.count(name)) namespaces.insert(name);
        }
        const auto root = tools.root_links();
        const std::set<std::string> root_set(root.begin(), root.end());
        for (const auto& name : state->links) {
            if (root_set.count(name)) links.insert(name);
        }
    }
    bool failed = false;
    // Links first: deleting a root end takes its peer with it at once, while a namespace's teardown (and
    // with it the root ends of its links) happens in the background.
    for (const auto& name : links) {
        const auto result = tools.ip_try({"link", "del", name});
        if (result.ok() || result.output.find("Cannot find device") != std::string::npos) {
            report.removed.push_back("link " + name);
        } else {
            report.errors.push_back("link " + name + ": " + first_line(result.output));
            failed = true;
        }
    }
    for (const auto& name : namespaces) {
        for (const int pid : tools.pids_in(name)) ::kill(pid, SIGKILL);
        const auto result = tools.ip_try({"netns", "del", name});
        if (result.ok()) {
            report.removed.push_back("namespace " + name);
        } else {
            report.errors.push_back("namespace " + name + ": " + first_line(result.output));
            failed = true;
        }
    }
    if (failed) return;  // keep the state for another try
    std::error_code ec;
    for (const auto& file : {state_file, detail::netns_registry_file(id)}) {
        if (!file.empty() && std::filesystem::remove(file, ec)) report.removed.push_back("state file " + file.string());
    }
}

std::string owner_text(const NetnsState& state) {
    return "sweep " + state.sweep_id + " is still running (runner pid " + std::to_string(state.pid) +
           (state.out_dir.empty() ? "" : ", output " + state.out_dir) + "); stop it first or pass --force";
}

}  // namespace

NetnsCleanupReport cleanup_netns(const std::filesystem::path& out_dir, bool force) {
    NetnsCleanupReport report;
    const auto file = detail::netns_state_file(out_dir);
    if (!std::filesystem::exists(file)) return report;  // nothing was left there
    const NetnsState state = NetnsState::read(file);
    if (state.owner_alive() && !force) {
        report.kept.push_back(owner_text(state));
        return report;
    }
    const NetnsTools tools;
    remove_sweep(tools, state.sweep_id, &state, file, report);
    return report;
}

NetnsCleanupReport cleanup_all_netns(bool force) {
    NetnsCleanupReport report;
    const NetnsTools tools;
    std::set<std::string> ids;
    for (const auto& name : tools.namespaces()) {
        if (auto id = detail::sweep_of_namespace(name); !id.empty()) ids.insert(id);
    }
    for (const auto& name : tools.root_links()) {
        if (auto id = detail::sweep_of_root_link(name); !id.empty()) ids.insert(id);
    }
    // Sweeps that left only their registry entry (everything else already gone).
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(detail::netns_registry_directory(), ec)) {
        const auto stem = entry.path().stem().string();
        if (entry.path().extension() == ".json" && stem.size() == 6) ids.insert(stem);
    }
    for (const auto& id : ids) {
        const auto registry = detail::netns_registry_file(id);
        std::optional<NetnsState> state;
        if (std::filesystem::exists(registry)) {
            try {
                state = NetnsState::read(registry);
            } catch (const Error&) {
            }
        }
        if (state && state->owner_alive() && !force) {
            report.kept.push_back(owner_text(*state));
            continue;
        }
        std::filesystem::path state_file;
        if (state && !state->out_dir.empty()) {
            state_file = detail::netns_state_file(state->out_dir);
            // Only a state file of this very sweep (the folder may hold a newer sweep by now).
            try {
                if (!std::filesystem::exists(state_file) || NetnsState::read(state_file).sweep_id != id) state_file.clear();
            } catch (const Error&) {
                state_file.clear();
            }
        }
        remove_sweep(tools, id, state ? &*state : nullptr, state_file, report);
    }
    return report;
}

}  // namespace edgebench
