#include "cli/text_table.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace edgebench::cli {

void TextTable::print(std::ostream& out) const {
    std::vector<std::size_t> widths(header_.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    };
    measure(header_);
    for (const auto& row : rows_) measure(row);
    auto emit = [&](const std::vector<std::string>& row) {
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const std::string cell = c < row.size() ? row[c] : "";
            const std::string pad(widths[c] - cell.size(), ' ');
            if (c > 0) out << "  ";
            out << (c == 0 ? cell + pad : pad + cell);
        }
        out << '\n';
    };
    emit(header_);
    std::size_t total = 0;
    for (const auto w : widths) total += w;
    out << std::string(total + 2 * (widths.empty() ? 0 : widths.size() - 1), '-') << '\n';
    for (const auto& row : rows_) emit(row);
}

std::string fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

}  // namespace edgebench::cli
