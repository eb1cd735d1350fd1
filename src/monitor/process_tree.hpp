#pragma once
// Finding a process's descendants.

#include <functional>
#include <string>
#include <vector>

namespace edgebench::detail {

/// Visits `root` and then its descendants, parents before their children, calling `visit(pid)` for
/// each; when `visit` returns false the process's children are not visited (it has gone). Children
/// come from /proc/PID/task/TID/children, or from a scan of every /proc/PID/stat where that file does
/// not exist (kernels built without CONFIG_PROC_CHILDREN). At most `limit` processes are visited.
void visit_process_tree(int root, const std::function<bool(int)>& visit, std::size_t limit = 65536);

/// The children of `pid` as /proc/PID/task/*/children lists them (empty when `pid` has gone). Sets
/// `supported` to false when the kernel has no such file.
std::vector<int> child_pids(int pid, bool& supported);

}  // namespace edgebench::detail
