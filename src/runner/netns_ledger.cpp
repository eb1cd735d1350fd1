#include "runner/netns_ledger.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "internal/file_io.hpp"

namespace edgebench::detail {

using nlohmann::json;

std::string NetnsState::to_json() const {
    return json({{"sweep_id", sweep_id},
                 {"pid", pid},
                 {"pid_start", pid_start},
                 {"out_dir", out_dir},
                 {"namespaces", namespaces},
                 {"links", links}})
        .dump(2);
}

NetnsState NetnsState::read(const std::filesystem::path& file) {
    const json document = json::parse(read_file_text(file), nullptr, false);
    if (!document.is_object() || !document.contains("sweep_id")) throw Error("not a netns state file", {}, file.string());
    NetnsState state;
    state.sweep_id = document.value("sweep_id", std::string());
    state.pid = document.value("pid", 0);
    state.pid_start = document.value("pid_start", 0ULL);
    state.out_dir = document.value("out_dir", std::string());
    state.namespaces = document.value("namespaces", std::vector<std::string>());
    state.links = document.value("links", std::vector<std::string>());
    return state;
}

bool NetnsState::owner_alive() const {
    if (pid <= 0) return false;
    const auto start = process_start_ticks(pid);
    return start != 0 && start == pid_start;
}

std::filesystem::path netns_state_file(const std::filesystem::path& out_dir) { return out_dir / "netns-state.json"; }

std::filesystem::path netns_registry_directory() { return "/run/edgebench/netns"; }

std::filesystem::path netns_registry_file(const std::string& sweep_id) {
    return netns_registry_directory() / (sweep_id + ".json");
}

unsigned long long process_start_ticks(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!in || !std::getline(in, text)) return 0;
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 1));
    std::string field;
    for (int index = 3; fields >> field; ++index) {
        // A zombie has exited: its runner is gone even though its parent has not reaped it yet.
        if (index == 3 && (field == "Z" || field == "X")) return 0;
        if (index == 22) return std::strtoull(field.c_str(), nullptr, 10);
    }
    return 0;
}

NetnsLedger::NetnsLedger(const std::filesystem::path& out_dir, const std::string& sweep_id)
    : file_(netns_state_file(out_dir)), registry_file_(netns_registry_file(sweep_id)) {
    state_.sweep_id = sweep_id;
    state_.pid = static_cast<int>(::getpid());
    state_.pid_start = process_start_ticks(state_.pid);
    std::error_code ec;
    state_.out_dir = std::filesystem::absolute(out_dir, ec).string();
    std::filesystem::create_directories(out_dir, ec);
    std::filesystem::create_directories(registry_file_.parent_path(), ec);
    save();
}

NetnsLedger::~NetnsLedger() {
    if (!state_.namespaces.empty() || !state_.links.empty()) return;  // left for `edgebench netns cleanup`
    std::error_code ec;
    std::filesystem::remove(file_, ec);
    std::filesystem::remove(registry_file_, ec);
}

void NetnsLedger::save() {
    const std::string text = state_.to_json();
    write_file_atomically(file_, text);
    // The registry copy is a convenience for `cleanup --all`; the sweep goes on without it (e.g. no /run).
    try {
        write_file_atomically(registry_file_, text);
    } catch (const std::exception&) {
    }
}

void NetnsLedger::will_create_namespace(const std::string& name) {
    state_.namespaces.push_back(name);
    save();
}

void NetnsLedger::removed_namespace(const std::string& name) {
    std::erase(state_.namespaces, name);
    save();
}

void NetnsLedger::will_create_link(const std::string& name) {
    state_.links.push_back(name);
    save();
}

void NetnsLedger::removed_link(const std::string& name) {
    std::erase(state_.links, name);
    save();
}

}  // namespace edgebench::detail
