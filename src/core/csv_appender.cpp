#include "internal/csv_appender.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>

#include "edgebench/error.hpp"

namespace edgebench::detail {
namespace {

std::string quoted(const std::string& cell) {
    if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
    std::string out = "\"";
    for (const char c : cell) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csv_line(const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) line += ',';
        line += quoted(cells[i]);
    }
    return line + "\n";
}

std::FILE* open_for_append(const std::filesystem::path& file) {
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    std::FILE* handle = std::fopen(file.c_str(), "ab");
    if (!handle) throw Error(std::string("cannot open for appending: ") + std::strerror(errno), {}, file.string());
    return handle;
}

void write_all(std::FILE* file, const std::string& text, const std::filesystem::path& path) {
    if (std::fwrite(text.data(), 1, text.size(), file) != text.size() || std::fflush(file) != 0) {
        throw Error(std::string("write failed: ") + std::strerror(errno), {}, path.string());
    }
}

}  // namespace

CsvAppender::CsvAppender(const std::filesystem::path& file, std::vector<std::string> columns)
    : path_(file), columns_(std::move(columns)) {
    std::error_code ec;
    const bool fresh = !std::filesystem::exists(file, ec) || std::filesystem::file_size(file, ec) == 0;
    const std::string header = csv_line(columns_);
    if (!fresh) {
        std::ifstream in(file);
        std::string first;
        std::getline(in, first);
        if (first + "\n" != header) {
            throw Error("has a different header than expected; refusing to append rows that would not line up", {},
                        file.string());
        }
    }
    file_.reset(open_for_append(file));
    if (fresh) write_all(file_.get(), header, path_);
}

void CsvAppender::append(const std::vector<std::string>& values) {
    if (values.size() != columns_.size()) {
        throw Error("row of " + std::to_string(values.size()) + " values for " + std::to_string(columns_.size()) +
                        " columns",
                    {}, path_.string());
    }
    const std::string line = csv_line(values);
    std::lock_guard lock(mutex_);
    write_all(file_.get(), line, path_);
}

std::string CsvAppender::number(double value) {
    if (!std::isfinite(value)) return {};
    char buffer[32];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
    return std::string(buffer, end);
}

JsonLinesAppender::JsonLinesAppender(const std::filesystem::path& file) : path_(file), file_(open_for_append(file)) {}

void JsonLinesAppender::append(const std::string& json_object) {
    std::lock_guard lock(mutex_);
    write_all(file_.get(), json_object + "\n", path_);
}

}  // namespace edgebench::detail
