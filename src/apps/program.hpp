#pragma once
// How every edgebench program reports failure: bad usage -> one line, exit 2; bad input or a failure
// -> one line, exit 1; never an uncaught exception.

#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "cli/arg_parser.hpp"

namespace edgebench::apps {

inline int run_program(const std::string& name, int argc, char** argv,
                       const std::function<int(const std::vector<std::string>&)>& body) {
    try {
        return body(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const cli::UsageError& error) {
        std::cerr << name << ": " << error.what() << " (see " << name << " --help)\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << name << ": error: " << error.what() << '\n';
        return 1;
    }
}

}  // namespace edgebench::apps
