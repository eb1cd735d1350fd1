#pragma once
// The shared command line of the node programs (edgebench-edge, edgebench-cloud): settings from defaults,
// a JSON file, environment variables and flags (later ones win), then serve until SIGINT or SIGTERM.

#include <string>
#include <vector>

namespace edgebench::apps {

enum class NodeKind { Edge, Cloud };

/// Runs a node program; returns the process exit status.
int run_node(NodeKind kind, const std::vector<std::string>& args);

}  // namespace edgebench::apps
