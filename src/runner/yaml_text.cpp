#include "runner/yaml_text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace edgebench::detail {

bool needs_yaml_quotes(const std::string& text) {
    if (text.empty()) return true;
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    // YAML 1.1 (which PyYAML and many tools still follow) and 1.2 booleans and nulls.
    for (const char* word : {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", "+.inf",
                             ".nan"}) {
        if (lower == word) return true;
    }
    // Anything a number parser takes whole: integers, floats, hex, exponents.
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    if (end && *end == '\0') return true;
    // Octal-looking or sexagesimal forms and leading/trailing blanks are left to the emitter's quoting,
    // which also handles ':', '#', '{', ... .
    return text.find_first_of("0123456789") == 0 && text.find(':') != std::string::npos;
}

void emit_text(YAML::Emitter& out, const std::string& text) {
    if (needs_yaml_quotes(text)) {
        out << YAML::DoubleQuoted << text;
    } else {
        out << text;
    }
}

void emit_texts(YAML::Emitter& out, const std::vector<std::string>& texts) {
    out << YAML::BeginSeq;
    for (const auto& text : texts) emit_text(out, text);
    out << YAML::EndSeq;
}

std::string yaml_comment_block(const std::vector<std::string>& lines) {
    std::string block;
    for (const auto& line : lines) block += (line.empty() ? "#" : "# " + line) + "\n";
    return block;
}

}  // namespace edgebench::detail
