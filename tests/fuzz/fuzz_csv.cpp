// The CSV files of a result set as edgebench reads them back (read_csv, split_csv_line, summary_table for
// `edgebench run`'s closing table and `edgebench report`): users open, edit and re-save them (pandas,
// spreadsheets), so they are outside input. The input is a runs.csv, then optionally a form feed and a
// summary.csv; summary_table must not fail on whatever they hold. Separately, the input split at unit
// separators (0x1F) is a row of three cells that CsvAppender writes and read_csv must read back the same.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "edgebench/runner.hpp"
#include "fuzz_support.hpp"
#include "internal/csv_appender.hpp"
#include "internal/csv_reader.hpp"

namespace {

using namespace edgebench;

class ScratchFolder {
public:
    ScratchFolder() : path_(std::filesystem::temp_directory_path() / ("edgebench-fuzz-csv-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(path_);
    }
    ~ScratchFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

void write(const std::filesystem::path& file, std::string_view text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // One scratch folder for the whole run (a function-local static), removed at exit.
    static const ScratchFolder scratch;
    const auto text = fuzz::text_of(data, size);

    const auto split = text.find('\f');
    write(scratch.path() / "runs.csv", text.substr(0, split));
    write(scratch.path() / "summary.csv", split == std::string_view::npos ? text : text.substr(split + 1));
    fuzz::expect_errors_only([&] { (void)summary_table(scratch.path()); });

    std::vector<std::string> cells(1);
    for (const char c : text) {
        if (c == '\x1f') cells.emplace_back();
        else cells.back() += c;
    }
    cells.resize(3);
    const auto file = scratch.path() / "rows.csv";
    std::filesystem::remove(file);
    {
        detail::CsvAppender appender(file, {"a", "b", "c"});
        appender.append(cells);
    }
    const detail::CsvTable table = detail::read_csv(file);
    fuzz::check(table.header == std::vector<std::string>({"a", "b", "c"}), "header read back different");
    fuzz::check(table.rows.size() == 1 && table.rows[0] == cells, "a written row reads back different");
    return 0;
}
