// `edgebench`: one program, several subcommands; all logic lives in the library.

#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "cli/arg_parser.hpp"
#include "cli/commands.hpp"
#include "edgebench/error.hpp"
#include "edgebench/version.hpp"

namespace {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const edgebench::cli::Args&);
};

constexpr Command kCommands[] = {
    {"dataset", "make datasets: synthetic (built in), a subset of a COCO dataset, or download COCO val2017", edgebench::cli::run_dataset},
    {"eval", "score detections against ground truth: COCO mAP and a per-class table", edgebench::cli::run_eval},
    {"monitor", "run a command and sample its CPU, memory, cycles, network and GPU into a CSV",
     edgebench::cli::run_monitor},
    {"detect", "run a detector over a dataset's images and write COCO results", edgebench::cli::run_detect},
    {"models", "list detector backends, their specs and the model files found here", edgebench::cli::run_models},
    {"run", "run an experiment file's configurations and write a tidy result set", edgebench::cli::run_run},
    {"netns", "check the netns backend, or clean up after a crashed netns sweep", edgebench::cli::run_netns},
    {"preprocess", "preprocess a dataset's images with one or more settings; bytes and time per image",
     edgebench::cli::run_preprocess},
    {"report", "write a self-contained HTML report (figures and tables) of a result set (Python)",
     edgebench::cli::run_report},
};

void print_usage(std::ostream& out) {
    out << "usage: edgebench COMMAND [options]   (edgebench COMMAND --help for details)\n\ncommands:\n";
    for (const auto& command : kCommands) {
        out << "  " << command.name << std::string(14 - std::strlen(command.name), ' ') << command.summary << '\n';
    }
    out << "  version       print the version\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(std::cerr);
        return 2;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(std::cout);
        return 0;
    }
    if (name == "version" || name == "--version") {
        std::cout << "edgebench " << edgebench::kVersion << '\n';
        return 0;
    }
    const edgebench::cli::Args args(argv + 2, argv + argc);
    for (const auto& command : kCommands) {
        if (name != command.name) continue;
        try {
            return command.run(args);
        } catch (const edgebench::cli::UsageError& error) {
            std::cerr << "edgebench " << name << ": " << error.what() << '\n';
            return 2;
        } catch (const std::exception& error) {
            std::cerr << "edgebench " << name << ": error: " << error.what() << '\n';
            return 1;
        }
    }
    std::cerr << "edgebench: unknown command '" << name << "' (see edgebench --help)\n";
    return 2;
}
