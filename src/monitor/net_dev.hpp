#pragma once
// Network traffic per interface from /proc/net/dev (proc_pid_net(5)). The file shows the network
// namespace of the process it is read through, so a node in its own namespace sees only its traffic.

#include <string_view>
#include <vector>

#include "edgebench/hw_sample.hpp"

namespace edgebench::detail {

/// Fills `out` with each interface's totals since it came up (HwNetInterface holding totals here, not
/// deltas); malformed lines are skipped. Returns false when the text is not /proc/net/dev at all.
bool parse_net_dev(std::string_view text, std::vector<HwNetInterface>& out);

/// Traffic between two readings, per interface of `after`. An interface that is new, or whose counters
/// went back (it was re-created), counts from zero.
std::vector<HwNetInterface> net_delta(const std::vector<HwNetInterface>& before,
                                      const std::vector<HwNetInterface>& after);

}  // namespace edgebench::detail
