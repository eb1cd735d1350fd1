#pragma once
// The subcommands of the `edgebench` program. Each takes its own arguments (after the subcommand name)
// and returns the process exit status; bad usage throws UsageError, failures throw edgebench::Error.

#include <string>
#include <vector>

namespace edgebench::cli {

using Args = std::vector<std::string>;

int run_dataset(const Args& args);
int run_eval(const Args& args);
int run_preprocess(const Args& args);

}  // namespace edgebench::cli
