#include "internal/json_cursor.hpp"

#include <algorithm>
#include <cmath>

#include "edgebench/error.hpp"
#include "internal/file_io.hpp"
#include "internal/utf8.hpp"

namespace edgebench::detail {

std::string describe(const nlohmann::json& value) {
    // Error messages end up in JSON error bodies, which must be valid UTF-8: no cut inside a multi-byte
    // character, and no invalid bytes from values built from YAML (replaced, not thrown about).
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    constexpr std::size_t limit = 40;
    if (text.size() > limit) text = std::string(utf8_prefix(text, limit)) + "...";
    return std::string(value.type_name()) + " " + text;
}

std::string JsonCursor::child_path(std::string_view key) const {
    if (path_.empty()) return std::string(key);
    return path_ + "." + std::string(key);
}

void JsonCursor::fail(const std::string& expected) const {
    throw Error("expected " + expected + ", got " + describe(*value_), path_.empty() ? "(top level)" : path_,
                file_);
}

void JsonCursor::expect_object() const {
    if (!value_->is_object()) fail("an object");
}

void JsonCursor::expect_array() const {
    if (!value_->is_array()) fail("an array");
}

JsonCursor JsonCursor::at(std::string_view key) const {
    expect_object();
    const auto found = value_->find(key);
    if (found == value_->end()) {
        throw Error("missing required field", child_path(key), file_);
    }
    return JsonCursor(*found, child_path(key), file_);
}

std::optional<JsonCursor> JsonCursor::find(std::string_view key) const {
    expect_object();
    const auto found = value_->find(key);
    if (found == value_->end() || found->is_null()) return std::nullopt;
    return JsonCursor(*found, child_path(key), file_);
}

JsonCursor JsonCursor::at(std::size_t index) const {
    expect_array();
    if (index >= value_->size()) {
        throw Error("index out of range", path_ + "[" + std::to_string(index) + "]", file_);
    }
    return JsonCursor((*value_)[index], path_ + "[" + std::to_string(index) + "]", file_);
}

std::size_t JsonCursor::array_size() const {
    expect_array();
    return value_->size();
}

std::int64_t JsonCursor::as_int() const {
    if (value_->is_number_integer()) return value_->get<std::int64_t>();
    if (value_->is_number_float()) {
        const double number = value_->get<double>();
        // Some tools write ids as 42.0; accept exact integers, refuse anything else.
        if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9.0e15) {
            return static_cast<std::int64_t>(number);
        }
    }
    fail("an integer");
}

double JsonCursor::as_number() const {
    if (!value_->is_number()) fail("a number");
    const double number = value_->get<double>();
    if (!std::isfinite(number)) fail("a finite number");
    return number;
}

std::string JsonCursor::as_string() const {
    if (!value_->is_string()) fail("a string");
    return value_->get<std::string>();
}

bool JsonCursor::as_bool() const {
    if (value_->is_boolean()) return value_->get<bool>();
    if (value_->is_number_integer()) {
        const auto number = value_->get<std::int64_t>();
        if (number == 0 || number == 1) return number == 1;
    }
    fail("true, false, 0 or 1");
}

namespace {

// "line L, column C" of the byte at `offset` (0-based) in `text`.
std::string position_of(std::string_view text, std::size_t offset) {
    std::size_t line = 1;
    std::size_t column = 1;
    const std::size_t end = std::min(offset, text.size());
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

nlohmann::json parse_json(std::string_view text, const std::string& source) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        // Turn the byte offset into a line and column a person can find.
        std::string reason = error.what();
        if (const auto colon = reason.rfind(": "); colon != std::string::npos) reason = reason.substr(colon + 2);
        throw Error("invalid JSON at " + position_of(text, error.byte == 0 ? 0 : error.byte - 1) + ": " + reason, {},
                    source);
    } catch (const nlohmann::json::out_of_range&) {
        // The one out_of_range the parser throws (406): a number literal beyond a double, such as 1e999.
        // Found by fuzzing (tests/fuzz/fuzz_coco_results.cpp): it escaped as a nlohmann exception.
        throw Error("invalid JSON: a number too large for a double (beyond about 1.8e308)", {}, source);
    }
}

nlohmann::json read_json_file(const std::filesystem::path& file) {
    return parse_json(read_file_text(file), file.string());
}

}  // namespace edgebench::detail
