#include "runner/yaml_document.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>

#include "edgebench/error.hpp"
#include "internal/file_io.hpp"
#include "internal/utf8.hpp"

namespace edgebench::detail {
namespace {

using nlohmann::json;

json plain_scalar(const std::string& text) {
    if (text == "~" || text == "null" || text == "Null" || text == "NULL" || text.empty()) return nullptr;
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    std::int64_t integer = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (auto [ptr, error] = std::from_chars(begin, end, integer); error == std::errc() && ptr == end) return integer;
    double number = 0;
    if (auto [ptr, error] = std::from_chars(begin, end, number); error == std::errc() && ptr == end && std::isfinite(number)) {
        return number;
    }
    return text;
}

json convert(const YAML::Node& node, const std::string& path, YamlDocument& document) {
    document.lines.emplace(path, node.Mark().line + 1);
    switch (node.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined: return nullptr;
        case YAML::NodeType::Scalar:
            // yaml-cpp passes bytes through unchecked; JSON (and every file written from it) needs UTF-8.
            if (!is_valid_utf8(node.Scalar())) {
                throw Error("text that is not valid UTF-8 (line " + std::to_string(node.Mark().line + 1) + ")", path,
                            document.source);
            }
            // yaml-cpp tags quoted scalars "!" and plain ones "?": only plain ones are typed.
            return node.Tag() == "!" ? json(node.Scalar()) : plain_scalar(node.Scalar());
        case YAML::NodeType::Sequence: {
            json list = json::array();
            std::size_t index = 0;
            for (const auto& item : node) {
                list.push_back(convert(item, path + "[" + std::to_string(index++) + "]", document));
            }
            return list;
        }
        case YAML::NodeType::Map: {
            json object = json::object();
            for (const auto& item : node) {
                // A key may be a list or a map in YAML (`? [a, b]: 1`); settings are named by text.
                if (!item.first.IsScalar() || !is_valid_utf8(item.first.Scalar())) {
                    throw Error("a key that is not plain UTF-8 text (line " + std::to_string(item.first.Mark().line + 1) +
                                    ")",
                                path, document.source);
                }
                const std::string key = item.first.Scalar();
                const std::string child = path.empty() ? key : path + "." + key;
                if (object.contains(key)) {
                    throw Error("duplicate key '" + key + "' (line " + std::to_string(item.first.Mark().line + 1) + ")",
                                child, document.source);
                }
                object[key] = convert(item.second, child, document);
                document.lines[child] = item.first.Mark().line + 1;
            }
            return object;
        }
    }
    return nullptr;
}

}  // namespace

int YamlDocument::line_of(const std::string& path) const {
    // Up to the top-level key: a key that is not in the file at all (a required one missing) has no line.
    std::string current = path;
    while (!current.empty()) {
        if (const auto found = lines.find(current); found != lines.end()) return found->second;
        const auto cut = current.find_last_of(".[");
        if (cut == std::string::npos) return 0;
        current = current.substr(0, cut);
    }
    return 0;
}

YamlDocument parse_yaml(std::string_view text, const std::string& source) {
    YamlDocument document;
    document.source = source;
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& error) {
        throw Error("invalid YAML at line " + std::to_string(error.mark.line + 1) + ", column " +
                        std::to_string(error.mark.column + 1) + ": " + error.msg,
                    {}, source);
    }
    document.root = convert(root, "", document);
    return document;
}

YamlDocument read_yaml_file(const std::filesystem::path& file) {
    return parse_yaml(read_file_text(file), file.string());
}

}  // namespace edgebench::detail
