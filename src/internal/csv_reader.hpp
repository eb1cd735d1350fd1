#pragma once
// Reads the CSV files edgebench writes (RFC 4180 quoting), for resuming and summarising result sets.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace edgebench::detail {

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    /// Column position, or -1.
    int column(const std::string& name) const;
    /// The cell of `row` in column `name`, or "" when there is no such column.
    const std::string& cell(const std::vector<std::string>& row, const std::string& name) const;
};

/// Reads a whole CSV file; a missing file is an empty table. A quoted cell may hold newlines (RFC 4180, as
/// CsvAppender writes them); rows may have fewer or more cells than the header.
CsvTable read_csv(const std::filesystem::path& file);
/// Splits one CSV record (without its newline).
std::vector<std::string> split_csv_line(const std::string& line);
/// Splits CSV text into records at the newlines that are not inside a quoted cell.
std::vector<std::string> split_csv_records(std::string_view text);

}  // namespace edgebench::detail
