// Experiment files (Experiment::parse: YAML through yaml-cpp, turned into JSON, normalised, the grid
// expanded into runs), as `edgebench run` and Python's edgebench.run read them. A parse either fails with
// `Error` or gives runs whose JSON form and CSV columns (what the result manifest and runs.csv hold) can
// be written.
//
// Paths are resolved against a folder that does not exist, so specs and datasets naming relative files
// fail with `Error`; absolute ones are only tested for existence (parse opens no file).

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "edgebench/experiment.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace edgebench;
    fuzz::expect_errors_only([&] {
        const Experiment experiment = Experiment::parse(fuzz::text_of(data, size), "/nonexistent/experiments", "fuzz");
        fuzz::check(!experiment.runs().empty(), "an experiment without runs was accepted");
        fuzz::check(experiment.runs().size() <= 1'000'000, "more runs than the documented limit");
        // The first runs stand for all: a grid repeats the same code for every point.
        const std::size_t shown = std::min<std::size_t>(experiment.runs().size(), 8);
        for (std::size_t i = 0; i < shown; ++i) {
            const RunConfig& run = experiment.runs()[i];
            fuzz::check(nlohmann::json::accept(run.to_json()), "a run's JSON does not parse");
            (void)run.columns();
        }
    });
    return 0;
}
