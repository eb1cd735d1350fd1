#include "internal/csv_reader.hpp"

#include <fstream>
#include <iterator>

namespace edgebench::detail {

int CsvTable::column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
}

const std::string& CsvTable::cell(const std::vector<std::string>& row, const std::string& name) const {
    static const std::string empty;
    const int index = column(name);
    return index >= 0 && static_cast<std::size_t>(index) < row.size() ? row[static_cast<std::size_t>(index)] : empty;
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cells.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cells.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            cells.emplace_back();
        } else if (c != '\r') {
            cells.back() += c;
        }
    }
    return cells;
}

std::vector<std::string> split_csv_records(std::string_view text) {
    std::vector<std::string> records;
    std::string record;
    bool quoted = false;
    for (const char c : text) {
        // A doubled quote inside a quoted cell toggles twice, so this tracks RFC 4180's quoting exactly.
        if (c == '"') quoted = !quoted;
        if (c == '\n' && !quoted) {
            records.push_back(std::move(record));
            record.clear();
        } else {
            record += c;
        }
    }
    if (!record.empty()) records.push_back(std::move(record));
    return records;
}

CsvTable read_csv(const std::filesystem::path& file) {
    CsvTable table;
    std::ifstream in(file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto records = split_csv_records(text);
    if (records.empty()) return table;
    table.header = split_csv_line(records.front());
    for (std::size_t i = 1; i < records.size(); ++i) {
        if (!records[i].empty() && records[i] != "\r") table.rows.push_back(split_csv_line(records[i]));
    }
    return table;
}

}  // namespace edgebench::detail
