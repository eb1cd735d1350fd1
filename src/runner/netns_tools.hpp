#pragma once
// The iproute2 programs (ip, tc) the netns backend drives, and the names it gives what it creates.
//
// Names carry a recognisable prefix and the sweep's id, so that `edgebench netns cleanup` finds
// everything a crashed sweep left, and parallel sweeps never touch each other's:
//   namespaces   ebn-<id>-<node>     e.g. ebn-3fa91c-cloud, ebn-3fa91c-edge-1
//   root links   ebn<id>n<k>         the root-namespace end of node k's veth (interface names are
//                                    limited to 15 characters)

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "runner/system_command.hpp"

namespace edgebench::detail {

inline constexpr std::string_view kNetnsPrefix = "ebn-";
inline constexpr std::string_view kRootLinkPrefix = "ebn";

/// A fresh sweep id: 6 lowercase hex digits.
std::string new_netns_sweep_id();
std::string netns_namespace_name(const std::string& sweep_id, const std::string& node);
std::string netns_root_link_name(const std::string& sweep_id, std::size_t node);
/// The sweep id of an edgebench namespace or root link name; empty when the name is not one of ours.
std::string sweep_of_namespace(std::string_view name);
std::string sweep_of_root_link(std::string_view name);

/// Paths of `ip` and `tc`, and the commands built on them.
class NetnsTools {
public:
    /// Finds the programs; throws `Error` naming the missing one.
    NetnsTools();

    const std::filesystem::path& ip() const noexcept { return ip_; }
    const std::filesystem::path& tc() const noexcept { return tc_; }

    /// Runs `ip ARGS`; throws `Error` with its message when it fails.
    std::string ip_run(const std::vector<std::string>& args) const;
    CommandOutput ip_try(const std::vector<std::string>& args) const;
    /// Runs `tc ARGS`; throws `Error` with its message when it fails.
    std::string tc_run(const std::vector<std::string>& args) const;
    CommandOutput tc_try(const std::vector<std::string>& args) const;

    /// Names of every network namespace on the host.
    std::vector<std::string> namespaces() const;
    /// Names of the links in the root namespace.
    std::vector<std::string> root_links() const;
    /// Processes inside namespace `name`.
    std::vector<int> pids_in(const std::string& name) const;

private:
    std::filesystem::path ip_;
    std::filesystem::path tc_;
};

}  // namespace edgebench::detail
