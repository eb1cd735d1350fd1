#pragma once
// Column-aligned plain-text tables for terminal output.

#include <iosfwd>
#include <string>
#include <vector>

namespace edgebench::cli {

class TextTable {
public:
    explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
    void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    /// First column left-aligned, the others right-aligned (they are numbers).
    void print(std::ostream& out) const;

private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};

/// `value` with `decimals` digits after the point.
std::string fixed(double value, int decimals);

}  // namespace edgebench::cli
