#pragma once
// A small command-line parser for the edgebench programs: --name VALUE / --name=VALUE options,
// --flag switches, positionals, repeated options, `--` to pass the rest through, and --help text.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace edgebench::cli {

/// Bad command-line usage; the programs print it as one line and exit with status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ArgParser {
public:
    ArgParser(std::string program, std::string summary);

    /// An option that takes a value. `value_name` appears in --help (e.g. "N", "PATH").
    ArgParser& option(const std::string& name, const std::string& value_name, const std::string& help,
                      std::optional<std::string> default_value = std::nullopt);
    /// An option that may be given several times.
    ArgParser& repeated(const std::string& name, const std::string& value_name, const std::string& help);
    ArgParser& flag(const std::string& name, const std::string& help);
    ArgParser& positional(const std::string& name, const std::string& help, bool required = true);
    /// Accept `-- ARGS...` and keep them for `rest()`.
    ArgParser& allow_rest(const std::string& name, const std::string& help);

    /// Parses; returns false when --help was asked for (the help text has been printed).
    bool parse(const std::vector<std::string>& args);

    std::optional<std::string> get(const std::string& name) const;
    std::string value(const std::string& name) const;  ///< required: throws UsageError when missing
    std::vector<std::string> all(const std::string& name) const;
    bool has(const std::string& name) const;
    long long integer(const std::string& name) const;
    /// A comma-separated list of whole numbers, such as `--categories 1,3,18`.
    std::vector<std::int64_t> integers(const std::string& name) const;
    double number(const std::string& name) const;
    const std::vector<std::string>& rest() const noexcept { return rest_; }

    std::string help() const;

private:
    struct Spec {
        std::string name;
        std::string value_name;
        std::string help;
        std::optional<std::string> default_value;
        bool takes_value = true;
        bool repeatable = false;
    };
    const Spec& spec(const std::string& name) const;

    std::string program_;
    std::string summary_;
    std::vector<Spec> options_;
    std::vector<std::pair<std::string, std::string>> positionals_;  // name, help
    std::vector<bool> positional_required_;
    std::string rest_name_;
    std::string rest_help_;
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> rest_;
};

}  // namespace edgebench::cli
