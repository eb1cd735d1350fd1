#pragma once
// Where the node programs are: next to the running program, next to libedgebench (the Python package
// and the install prefix), in the build tree, or on PATH. EDGEBENCH_BIN_DIR overrides all of these.

#include <filesystem>
#include <string>

namespace edgebench::detail {

/// The full path of the program `name` (e.g. "edgebench-edge"); throws `Error` naming the places
/// searched when it is nowhere.
std::filesystem::path find_program(const std::string& name);

}  // namespace edgebench::detail
