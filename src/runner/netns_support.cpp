// probe_netns_support(): what the netns backend needs, checked on the real kernel before anything starts.

#include <unistd.h>

#include <fstream>
#include <string>

#include "edgebench/error.hpp"
#include "edgebench/netns.hpp"
#include "internal/first_line.hpp"
#include "runner/netns_tools.hpp"

namespace edgebench {
namespace {

using detail::first_line;

// The effective capability set of this process (/proc/self/status, CapEff), 0 when unreadable.
unsigned long long effective_capabilities() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("CapEff:", 0) == 0) return std::strtoull(line.c_str() + 7, nullptr, 16);
    }
    return 0;
}

std::string first_line_of(const std::string& output) {
    std::string line = first_line(output);
    return line.empty() ? "no message" : line;
}

}  // namespace

NetnsSupport probe_netns_support() {
    NetnsSupport support;
    constexpr int kCapNetAdmin = 12;
    constexpr int kCapSysAdmin = 21;  // `ip netns add` bind-mounts the namespace under /run/netns
    const auto caps = effective_capabilities();
    const bool net_admin = (caps >> kCapNetAdmin) & 1U;
    const bool sys_admin = (caps >> kCapSysAdmin) & 1U;
    if (!net_admin || !sys_admin) {
        support.reason = std::string("the netns backend needs root: creating network namespaces and veth links takes ") +
                         (!net_admin ? "CAP_NET_ADMIN" : "") + (!net_admin && !sys_admin ? " and " : "") +
                         (!sys_admin ? "CAP_SYS_ADMIN" : "") + ", which this process (uid " +
                         std::to_string(::geteuid()) + ") lacks; run it as root (e.g. with sudo) or use backend local";
        return support;
    }
    std::optional<detail::NetnsTools> tools;
    try {
        tools.emplace();
    } catch (const Error& error) {
        support.reason = error.message();
        return support;
    }
    const std::string name = detail::netns_namespace_name(detail::new_netns_sweep_id(), "probe");
    const auto added = tools->ip_try({"netns", "add", name});
    if (!added.ok()) {
        support.reason = "`ip netns add` was refused (" + first_line_of(added.output) +
                         "); network namespaces cannot be made here (a container without them?), use backend local";
        tools->ip_try({"netns", "del", name});
        return support;
    }
    support.available = true;
    tools->ip_try({"-n", name, "link", "set", "lo", "up"});
    const auto tbf = tools->tc_try({"-n", name, "qdisc", "add", "dev", "lo", "root", "handle", "1:", "tbf", "rate",
                                    "10mbit", "burst", "5000b", "latency", "1s"});
    support.bandwidth_qdisc = tbf.ok();
    if (!tbf.ok()) support.bandwidth_reason = "tc tbf: " + first_line_of(tbf.output);
    tools->tc_try({"-n", name, "qdisc", "del", "dev", "lo", "root"});
    const auto netem = tools->tc_try({"-n", name, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"});
    support.netem = netem.ok();
    if (!netem.ok()) support.netem_reason = "tc netem: " + first_line_of(netem.output);
    tools->ip_try({"netns", "del", name});
    return support;
}

}  // namespace edgebench
