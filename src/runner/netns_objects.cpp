#include "runner/netns_objects.hpp"

#include <signal.h>

namespace edgebench::detail {

std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> args) {
    if (ns.empty()) return args;
    args.insert(args.begin(), {"-n", ns});
    return args;
}

NetworkNamespace::NetworkNamespace(const NetnsTools& tools, NetnsLedger& ledger, std::string name)
    : tools_(tools), ledger_(ledger), name_(std::move(name)) {
    ledger_.will_create_namespace(name_);
    try {
        tools_.ip_run({"netns", "add", name_});
    } catch (...) {
        ledger_.removed_namespace(name_);
        throw;
    }
    try {
        tools_.ip_run({"-n", name_, "link", "set", "lo", "up"});
    } catch (...) {
        tools_.ip_try({"netns", "del", name_});
        ledger_.removed_namespace(name_);
        throw;
    }
}

NetworkNamespace::~NetworkNamespace() {
    // A namespace lives on (with its links) while a process is inside, even once its name is gone.
    for (const int pid : tools_.pids_in(name_)) ::kill(pid, SIGKILL);
    if (tools_.ip_try({"netns", "del", name_}).ok()) ledger_.removed_namespace(name_);
}

VethPair::VethPair(const NetnsTools& tools, NetnsLedger& ledger, std::string ns, std::string name,
                   const std::string& peer_ns, const std::string& peer)
    : tools_(tools), ledger_(ledger), ns_(std::move(ns)), name_(std::move(name)) {
    // Only an end in the root namespace outlives the namespaces; ends inside go with their namespace.
    if (ns_.empty()) ledger_.will_create_link(name_);
    try {
        tools_.ip_run(in_namespace(ns_, {"link", "add", name_, "type", "veth", "peer", "name", peer, "netns", peer_ns}));
    } catch (...) {
        if (ns_.empty()) ledger_.removed_link(name_);
        throw;
    }
}

VethPair::~VethPair() {
    const auto result = tools_.ip_try(in_namespace(ns_, {"link", "del", name_}));
    // Gone already (its namespace was deleted first) counts as removed.
    if (ns_.empty() && (result.ok() || result.output.find("Cannot find device") != std::string::npos ||
                        result.output.find("does not exist") != std::string::npos)) {
        ledger_.removed_link(name_);
    }
}

}  // namespace edgebench::detail
