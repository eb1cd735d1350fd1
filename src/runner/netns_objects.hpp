#pragma once
// The kernel objects of the netns backend as owners: each removes what it created when destroyed, so a
// sweep that ends, throws or is stopped leaves nothing behind. Each is entered in the sweep's ledger
// before it exists (see netns_ledger.hpp), for the one case a destructor cannot run: SIGKILL.

#include <string>

#include "runner/netns_ledger.hpp"
#include "runner/netns_tools.hpp"

namespace edgebench::detail {

/// A network namespace with its loopback up.
class NetworkNamespace {
public:
    NetworkNamespace(const NetnsTools& tools, NetnsLedger& ledger, std::string name);
    /// Kills any process still inside (the nodes are stopped before), then deletes the namespace.
    ~NetworkNamespace();
    NetworkNamespace(const NetworkNamespace&) = delete;
    NetworkNamespace& operator=(const NetworkNamespace&) = delete;

    const std::string& name() const noexcept { return name_; }

private:
    const NetnsTools& tools_;
    NetnsLedger& ledger_;
    std::string name_;
};

/// A veth pair: `name` in namespace `ns` (empty: the root namespace) and `peer` in `peer_ns`. Deleting
/// one end deletes both.
class VethPair {
public:
    VethPair(const NetnsTools& tools, NetnsLedger& ledger, std::string ns, std::string name, const std::string& peer_ns,
             const std::string& peer);
    ~VethPair();
    VethPair(const VethPair&) = delete;
    VethPair& operator=(const VethPair&) = delete;

    const std::string& name() const noexcept { return name_; }

private:
    const NetnsTools& tools_;
    NetnsLedger& ledger_;
    std::string ns_;
    std::string name_;
};

/// `ip [-n NS] ARGS`: the argument list that runs `args` inside namespace `ns` (empty: root).
std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> args);

}  // namespace edgebench::detail
