#pragma once
// A read-only view of a JSON value that knows where it is (file and JSON path), so that every error
// about malformed input can say exactly which field was wrong and what was expected.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace edgebench::detail {

class JsonCursor {
public:
    JsonCursor(const nlohmann::json& value, std::string path, std::string file)
        : value_(&value), path_(std::move(path)), file_(std::move(file)) {}

    const nlohmann::json& raw() const noexcept { return *value_; }
    const std::string& path() const noexcept { return path_; }
    const std::string& file() const noexcept { return file_; }

    bool is_object() const noexcept { return value_->is_object(); }
    bool is_array() const noexcept { return value_->is_array(); }
    bool is_null() const noexcept { return value_->is_null(); }

    /// The member `key` of an object; fails when this is no object or the key is missing.
    JsonCursor at(std::string_view key) const;
    /// The member `key` when present (and not null).
    std::optional<JsonCursor> find(std::string_view key) const;
    /// Element `index` of an array.
    JsonCursor at(std::size_t index) const;
    /// Number of elements of an array; fails when this is no array.
    std::size_t array_size() const;

    void expect_object() const;
    void expect_array() const;

    std::int64_t as_int() const;
    double as_number() const;  ///< finite numbers only
    std::string as_string() const;
    bool as_bool() const;  ///< true/false, or 0/1 as COCO writes `iscrowd`

    [[noreturn]] void fail(const std::string& expected) const;

private:
    std::string child_path(std::string_view key) const;

    const nlohmann::json* value_;
    std::string path_;
    std::string file_;
};

/// Short description of a JSON value for error messages: its type and a truncated dump.
std::string describe(const nlohmann::json& value);

/// Parses JSON text; a syntax error becomes `Error` with the line and column.
nlohmann::json parse_json(std::string_view text, const std::string& source);
/// Reads and parses a JSON file; a missing file or a syntax error becomes `Error` naming the file.
nlohmann::json read_json_file(const std::filesystem::path& file);

}  // namespace edgebench::detail
