#pragma once
// The subcommands of the `edgebench` program. Each takes its own arguments (after the subcommand name)
// and returns the process exit status; bad usage throws UsageError, failures throw edgebench::Error.

#include <string>
#include <vector>

namespace edgebench::cli {

using Args = std::vector<std::string>;

int run_dataset(const Args& args);
/// `edgebench dataset download ...`, dispatched by run_dataset.
int run_dataset_download(const Args& args);
int run_eval(const Args& args);
int run_run(const Args& args);
int run_netns(const Args& args);
int run_monitor(const Args& args);
int run_detect(const Args& args);
int run_models(const Args& args);
int run_preprocess(const Args& args);
/// Hands its arguments to `python -m edgebench.report` (replacing this process); see cmd_report.cpp.
int run_report(const Args& args);

}  // namespace edgebench::cli
