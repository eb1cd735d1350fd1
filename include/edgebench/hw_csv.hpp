#pragma once
/// \file
/// Hardware samples as CSV that pandas reads directly: one header, one row per sample, units in the
/// column names, nulls as empty cells, no lists inside cells. Per-interface traffic goes to a second,
/// long-format file (one row per sample and interface).

#include <filesystem>
#include <string>
#include <vector>

#include "edgebench/hw_sample.hpp"

namespace edgebench {

/// Column names of hw.csv, in order: `time_unix_s, mono_s, node, seq, interval_s, pid, ...`.
const std::vector<std::string>& hw_csv_columns();
/// Column names of the per-interface file: `time_unix_s, mono_s, node, seq, interface, rx_bytes, ...`.
const std::vector<std::string>& hw_net_csv_columns();

/// The header line of hw.csv, with its newline.
std::string hw_csv_header();
/// One row of hw.csv for `sample`, with its newline.
std::string hw_csv_row(const HwSample& sample);
std::string hw_net_csv_header();
/// One row per interface of `sample` (empty when it has none).
std::string hw_net_csv_rows(const HwSample& sample);

/// Appends samples to a CSV file. Each row goes out in one write(2) on an O_APPEND descriptor, so a
/// killed process loses at most the row in flight and several processes (nodes) may append to one
/// file without tearing rows. The header is written once, when the file is empty (under flock, so two
/// nodes starting together do not both write it); appending to a file whose header differs throws.
class HwCsvSink {
public:
    /// Opens (creates) `file` and, when given, `net_file`. `append` false truncates them first.
    /// Throws `Error` naming the file when it cannot be opened or has other columns.
    explicit HwCsvSink(const std::filesystem::path& file, const std::filesystem::path& net_file = {},
                       bool append = false);
    ~HwCsvSink();
    HwCsvSink(HwCsvSink&& other) noexcept;
    HwCsvSink& operator=(HwCsvSink&& other) noexcept;
    HwCsvSink(const HwCsvSink&) = delete;
    HwCsvSink& operator=(const HwCsvSink&) = delete;

    /// Writes the sample's row(s). Throws `Error` when the write fails (disk full); the monitor
    /// records that as an issue of field `csv` and goes on.
    void write(const HwSample& sample);
    void operator()(const HwSample& sample) { write(sample); }

    const std::filesystem::path& file() const noexcept { return file_; }

private:
    std::filesystem::path file_;
    std::filesystem::path net_file_;
    int fd_ = -1;
    int net_fd_ = -1;
};

}  // namespace edgebench
