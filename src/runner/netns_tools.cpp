#include "runner/netns_tools.hpp"

#include <cctype>
#include <cstdio>
#include <random>
#include <sstream>

#include "edgebench/error.hpp"

namespace edgebench::detail {
namespace {

bool is_hex_id(std::string_view text) {
    if (text.size() != 6) return false;
    for (const char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
    }
    return true;
}

std::string one_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    for (char& c : text) {
        if (c == '\n') c = ' ';
    }
    return text;
}

}  // namespace

std::string new_netns_sweep_id() {
    std::random_device device;
    char id[8];
    std::snprintf(id, sizeof id, "%06x", static_cast<unsigned>(device() & 0xffffffu));
    return id;
}

std::string netns_namespace_name(const std::string& sweep_id, const std::string& node) {
    // Namespace names become file names under /run/netns: keep them to a tame alphabet.
    std::string safe;
    for (const char c : node) {
        const auto u = static_cast<unsigned char>(c);
        safe += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
        if (safe.size() >= 40) break;
    }
    return std::string(kNetnsPrefix) + sweep_id + "-" + safe;
}

std::string netns_root_link_name(const std::string& sweep_id, std::size_t node) {
    return std::string(kRootLinkPrefix) + sweep_id + "n" + std::to_string(node);
}

std::string sweep_of_namespace(std::string_view name) {
    if (name.substr(0, kNetnsPrefix.size()) != kNetnsPrefix) return {};
    const auto id = name.substr(kNetnsPrefix.size(), 6);
    if (!is_hex_id(id) || name.size() < kNetnsPrefix.size() + 8 || name[kNetnsPrefix.size() + 6] != '-') return {};
    return std::string(id);
}

std::string sweep_of_root_link(std::string_view name) {
    if (name.substr(0, kRootLinkPrefix.size()) != kRootLinkPrefix) return {};
    const auto id = name.substr(kRootLinkPrefix.size(), 6);
    const auto rest = name.substr(std::min(name.size(), kRootLinkPrefix.size() + 6));
    if (!is_hex_id(id) || rest.size() < 2 || rest[0] != 'n') return {};
    for (const char c : rest.substr(1)) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return {};
    }
    return std::string(id);
}

NetnsTools::NetnsTools() {
    const auto ip = find_system_program("ip");
    if (!ip) throw Error("the netns backend needs the `ip` program (Debian package iproute2), which is not installed", "backend");
    const auto tc = find_system_program("tc");
    if (!tc) throw Error("the netns backend needs the `tc` program (Debian package iproute2), which is not installed", "backend");
    ip_ = *ip;
    tc_ = *tc;
}

CommandOutput NetnsTools::ip_try(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{ip_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_system_command(argv);
}

std::string NetnsTools::ip_run(const std::vector<std::string>& args) const {
    const auto result = ip_try(args);
    if (!result.ok()) throw Error("`ip " + shell_quote(args) + "` failed: " + one_line(result.output), "backend");
    return result.output;
}

CommandOutput NetnsTools::tc_try(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{tc_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_system_command(argv);
}

std::string NetnsTools::tc_run(const std::vector<std::string>& args) const {
    const auto result = tc_try(args);
    if (!result.ok()) throw Error("`tc " + shell_quote(args) + "` failed: " + one_line(result.output), "backend");
    return result.output;
}

std::vector<std::string> NetnsTools::namespaces() const {
    // "NAME" or "NAME (id: N)" per line.
    std::vector<std::string> names;
    std::istringstream lines(ip_try({"netns", "list"}).output);
    std::string line;
    while (std::getline(lines, line)) {
        const auto end = line.find(' ');
        std::string name = line.substr(0, end);
        if (!name.empty()) names.push_back(name);
    }
    return names;
}

std::vector<std::string> NetnsTools::root_links() const {
    // "4: NAME@PEER: <FLAGS> ..." per line.
    std::vector<std::string> names;
    std::istringstream lines(ip_try({"-o", "link", "show"}).output);
    std::string line;
    while (std::getline(lines, line)) {
        const auto first = line.find(": ");
        if (first == std::string::npos) continue;
        const auto start = first + 2;
        const auto end = line.find_first_of(":@", start);
        if (end == std::string::npos) continue;
        names.push_back(line.substr(start, end - start));
    }
    return names;
}

std::vector<int> NetnsTools::pids_in(const std::string& name) const {
    std::vector<int> pids;
    std::istringstream words(ip_try({"netns", "pids", name}).output);
    int pid = 0;
    while (words >> pid) pids.push_back(pid);
    return pids;
}

}  // namespace edgebench::detail
