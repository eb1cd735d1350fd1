#pragma once
/// \file
/// The netns launch backend's host-side operations: can this machine run it, and removing what a sweep
/// left behind (after a crash or a SIGKILL of the runner).
///
/// A netns sweep puts every node in its own network namespace named `ebn-<sweep id>-<node>` and joins them
/// with veth links (root-namespace ends named `ebn<sweep id>n<k>`). Everything it creates is listed in
/// `<out>/netns-state.json` before it is created, and removed when the sweep ends, fails or is stopped.

#include <filesystem>
#include <string>
#include <vector>

namespace edgebench {

/// Whether network namespaces can be made here, and which kernel link emulation exists.
struct NetnsSupport {
    bool available = false;
    std::string reason;         ///< why not, when not available (e.g. not root, `ip netns add` refused)
    bool netem = false;         ///< tc netem exists (kernel-added latency)
    std::string netem_reason;   ///< why not, when it does not
    bool bandwidth_qdisc = false;  ///< the tbf qdisc works (kernel-shaped bandwidth)
    std::string bandwidth_reason;
};

/// Checks root privileges (CAP_NET_ADMIN, CAP_SYS_ADMIN), the `ip` and `tc` programs, then creates and
/// removes a probe namespace and tries the tbf and netem qdiscs inside it. Never throws.
NetnsSupport probe_netns_support();

struct NetnsCleanupReport {
    std::vector<std::string> removed;  ///< "namespace ebn-...", "link ebn...", "state file ..."
    std::vector<std::string> kept;     ///< what was left alone and why (a sweep still running)
    std::vector<std::string> errors;   ///< what could not be removed
};

/// Removes what the netns sweep whose results are in `out_dir` created (from its state file, and
/// anything else with its sweep id). A sweep whose runner is still alive is left alone unless `force`.
NetnsCleanupReport cleanup_netns(const std::filesystem::path& out_dir, bool force = false);
/// Removes every edgebench namespace and root link on this host (names starting with `ebn-` / `ebn`
/// followed by a sweep id), except those of sweeps whose runner is still alive unless `force`.
NetnsCleanupReport cleanup_all_netns(bool force = false);

}  // namespace edgebench
