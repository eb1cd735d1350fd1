#pragma once
// Reading /proc files cheaply and without throwing: a file kept open is read again with pread from
// offset 0, which makes the kernel generate fresh content without another path lookup. A kept
// descriptor also outlives its process for namespace files (/proc/PID/net/dev keeps the namespace).

#include <string>
#include <string_view>

#include "internal/unique_fd.hpp"

namespace edgebench::detail {

/// The result of a read: the text, or why there is none (errno text, e.g. "No such process").
struct ProcText {
    std::string_view text;  ///< valid until the next read of the same ProcFile
    std::string error;      ///< empty on success
    bool ok() const noexcept { return error.empty(); }
};

class ProcFile {
public:
    ProcFile() = default;
    /// Opens `path`; `error()` says why when it could not be opened.
    explicit ProcFile(std::string path);

    bool is_open() const noexcept { return static_cast<bool>(fd_); }
    const std::string& path() const noexcept { return path_; }
    const std::string& error() const noexcept { return open_error_; }

    /// The whole current content.
    ProcText read();

private:
    std::string path_;
    UniqueFd fd_;
    std::string open_error_;
    std::string buffer_;
};

/// Opens, reads and closes `path` into `out`; returns an empty string on success, else the error (and
/// its errno in `error_number` when given).
std::string read_proc_once(const std::string& path, std::string& out, int* error_number = nullptr);

}  // namespace edgebench::detail
