// `edgebench netns check|cleanup`: whether this host can run the netns backend, and removing what a
// crashed netns sweep left behind.

#include <iostream>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "edgebench/netns.hpp"

namespace edgebench::cli {
namespace {

int check(const Args& args) {
    ArgParser parser("edgebench netns check",
                     "Say whether this host can run the netns backend (root, iproute2, network namespaces) and "
                     "which link emulation the kernel offers (tbf for bandwidth, netem for latency).");
    if (!parser.parse(args)) return 0;
    const NetnsSupport support = probe_netns_support();
    if (!support.available) {
        std::cout << "netns backend: unavailable: " << support.reason << '\n';
        return 1;
    }
    std::cout << "netns backend: available\n"
              << "bandwidth: " << (support.bandwidth_qdisc ? "tc tbf" : "in-process (" + support.bandwidth_reason + ")") << '\n'
              << "latency: " << (support.netem ? "tc netem" : "in-process (" + support.netem_reason + ")") << '\n';
    return 0;
}

int cleanup(const Args& args) {
    ArgParser parser("edgebench netns cleanup",
                     "Remove the network namespaces (ebn-<id>-<node>) and veth links (ebn<id>n<k>) a netns sweep "
                     "created, after the runner was killed before it could. Sweeps whose runner is still alive "
                     "are left alone unless --force.");
    parser.option("out", "DIR", "the sweep whose result folder is DIR (its netns-state.json)")
        .flag("all", "every edgebench namespace and link on this host")
        .flag("force", "also those of sweeps that are still running");
    if (!parser.parse(args)) return 0;
    if (parser.has("out") == parser.has("all")) throw UsageError("give either --out DIR or --all");
    const bool force = parser.has("force");
    const NetnsCleanupReport report = parser.has("all") ? cleanup_all_netns(force) : cleanup_netns(parser.value("out"), force);
    for (const auto& item : report.removed) std::cout << "removed " << item << '\n';
    for (const auto& item : report.kept) std::cout << "kept: " << item << '\n';
    for (const auto& item : report.errors) std::cerr << "could not remove " << item << '\n';
    if (report.removed.empty() && report.kept.empty() && report.errors.empty()) std::cout << "nothing to clean up\n";
    return report.errors.empty() ? 0 : 1;
}

}  // namespace

int run_netns(const Args& args) {
    const std::string usage = "usage: edgebench netns {check|cleanup} [options]   (--help for details)";
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << usage << "\n  check     can this host run the netns backend\n"
                  << "  cleanup   remove what a crashed netns sweep left (--out DIR | --all)\n";
        return args.empty() ? 2 : 0;
    }
    const Args rest(args.begin() + 1, args.end());
    if (args[0] == "check") return check(rest);
    if (args[0] == "cleanup") return cleanup(rest);
    throw UsageError("unknown netns command '" + args[0] + "'; " + usage);
}

}  // namespace edgebench::cli
