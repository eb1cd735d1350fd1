#pragma once
// Writing the deployment files' YAML with yaml-cpp's emitter, with one rule it does not know: a string
// that a YAML reader would take for a number, boolean or null ("8080", "0.5", "on", "") is quoted, so
// that compose and Kubernetes, which want strings for environment values and commands, get strings.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace edgebench::detail {

/// Whether `text` would not read back as the same string when written plain.
bool needs_yaml_quotes(const std::string& text);
/// Writes `text` as a string scalar.
void emit_text(YAML::Emitter& out, const std::string& text);
/// Writes a block sequence of strings.
void emit_texts(YAML::Emitter& out, const std::vector<std::string>& texts);
/// Comment lines ("# ...") for the top of a file.
std::string yaml_comment_block(const std::vector<std::string>& lines);

}  // namespace edgebench::detail
