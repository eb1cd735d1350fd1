#pragma once
// Appends rows to a CSV file that pandas reads directly: a header once, RFC 4180 quoting, one flush per
// row so that a killed process loses at most the row it was writing. Thread-safe.

#include <concepts>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace edgebench::detail {

class CsvAppender {
public:
    /// Opens `file` for appending; writes the header when the file is new or empty. An existing file
    /// with a different header is an `Error` (its rows would not line up).
    CsvAppender(const std::filesystem::path& file, std::vector<std::string> columns);

    /// Appends one row; `values` must have one entry per column. Throws `Error` when the write fails
    /// (for instance, a full disk).
    void append(const std::vector<std::string>& values);

    const std::filesystem::path& path() const noexcept { return path_; }
    const std::vector<std::string>& columns() const noexcept { return columns_; }

    /// A cell for a number; NaN and infinities become empty cells (missing values).
    static std::string number(double value);

private:
    struct FileCloser {
        void operator()(std::FILE* file) const noexcept { std::fclose(file); }
    };
    std::filesystem::path path_;
    std::vector<std::string> columns_;
    std::mutex mutex_;
    std::unique_ptr<std::FILE, FileCloser> file_;
};

/// A CSV cell for a number: `CsvAppender::number` for floating point, the decimal digits for integers.
inline std::string csv_number(double value) { return CsvAppender::number(value); }
template <std::integral Integer>
std::string csv_number(Integer value) {
    return std::to_string(value);
}

/// Appends JSON lines (one object per line), flushed per line. Thread-safe.
class JsonLinesAppender {
public:
    explicit JsonLinesAppender(const std::filesystem::path& file);
    void append(const std::string& json_object);

private:
    struct FileCloser {
        void operator()(std::FILE* file) const noexcept { std::fclose(file); }
    };
    std::filesystem::path path_;
    std::mutex mutex_;
    std::unique_ptr<std::FILE, FileCloser> file_;
};

}  // namespace edgebench::detail
