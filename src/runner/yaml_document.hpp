#pragma once
// Experiment files are YAML (JSON is read by the same parser, being a subset of YAML's flow style). They
// are turned into a JSON tree, remembering the line of every value, so that later checks can say which
// key on which line is wrong.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace edgebench::detail {

struct YamlDocument {
    nlohmann::json root;
    /// JSON path (as JsonCursor writes it, e.g. "edges[0].detector") -> 1-based line.
    std::map<std::string, int> lines;
    std::string source;

    /// The line of `path` or of its closest ancestor that has one; 0 when unknown.
    int line_of(const std::string& path) const;
};

/// Parses YAML text. Plain scalars become numbers, booleans (true/false) or null (~, null) when they
/// read as such; quoted scalars stay strings. Syntax errors throw `Error` with the line.
YamlDocument parse_yaml(std::string_view text, const std::string& source);
YamlDocument read_yaml_file(const std::filesystem::path& file);

}  // namespace edgebench::detail
