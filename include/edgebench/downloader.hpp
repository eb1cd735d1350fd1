#pragma once
/// \file
/// A resumable, checksummed HTTP(S) file downloader on libcurl.
///
/// A file is written as `FILE.part` and renamed to `FILE` only after it passed every check, so the final
/// name always means "complete and verified": a later call finds it and fetches nothing. A `.part` left
/// by an interrupted call (network failure, killed process, full disk) is continued with an HTTP `Range`
/// request; a server that ignores the range sends the whole file and the download starts over.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgebench/checksum.hpp"

namespace edgebench {

/// What to fetch, where to put it, and what the result must be.
struct DownloadTarget {
    std::string url;
    std::filesystem::path file;
    /// Size the file must have; when set, a server that announces another size is refused up front.
    std::optional<std::uint64_t> expected_size;
    /// Digest the file must have (for instance a published one).
    std::optional<Checksum> expected_checksum;
    /// A last check of the content before the file gets its final name (for instance that an image is
    /// complete). Returns an explanation when the content is wrong, nothing when it is fine.
    std::function<std::optional<std::string>(const std::filesystem::path& partial_file)> content_check;
};

/// Where a transfer stands.
struct TransferProgress {
    std::uint64_t bytes_done = 0;     ///< bytes of the file on disk, including what an earlier run left
    std::uint64_t bytes_fetched = 0;  ///< bytes received over the network by this call
    std::optional<std::uint64_t> bytes_total;  ///< the file's size, once the server said it
};
/// Called from the downloading thread as data arrives; return false to cancel the download (the partial
/// file stays for a later resume).
using TransferCallback = std::function<bool(const TransferProgress&)>;

struct DownloadOptions {
    long connect_timeout_ms = 15'000;
    /// A transfer that receives nothing for this many seconds is abandoned (and retried). There is no
    /// limit on the whole transfer: a large file on a slow link may take as long as it needs.
    long stall_timeout_s = 60;
    /// Tries per file. Network failures, truncated transfers and HTTP 5xx/408/429 are retried, each try
    /// resuming where the previous one stopped; other HTTP errors, write errors and checksum mismatches
    /// are not.
    int attempts = 3;
    /// Wait before the second try, doubled for each further one.
    long retry_delay_ms = 1'000;
    /// When the server's ETag is a plain MD5 digest of the content (as Amazon S3 sends for objects
    /// uploaded in one part, which is how images.cocodataset.org is served), check the file against it.
    bool verify_etag_md5 = true;
    /// Sent as User-Agent; empty: `edgebench/VERSION`.
    std::string user_agent;
};

/// What a download did and what the file was checked against.
struct DownloadResult {
    std::filesystem::path file;
    std::uint64_t size = 0;
    std::uint64_t bytes_fetched = 0;  ///< over the network in this call
    bool already_complete = false;    ///< the file was there and passed the checks; nothing was fetched
    bool resumed = false;             ///< a partial file was continued with a Range request
    int attempts = 0;                 ///< HTTP requests made
    /// SHA-256 of the file; empty when it was already complete and no SHA-256 was expected of it.
    std::string sha256;
    /// The checks the file passed, e.g. "size = Content-Length", "sha256 = expected", "md5 = ETag".
    std::vector<std::string> verified;
};

/// Downloads files one at a time over one libcurl handle, which keeps its connection alive between files.
/// Not thread-safe: give each thread its own Downloader.
///
/// Failures throw `Error` with one line naming the URL (network and HTTP errors) or the file (write
/// errors, size and checksum mismatches). A file that fails a check is deleted, since resuming it
/// could never succeed; a transfer that was cut off keeps its partial file for the next call.
class Downloader {
public:
    explicit Downloader(DownloadOptions options = {});
    ~Downloader();
    Downloader(Downloader&&) noexcept;
    Downloader& operator=(Downloader&&) noexcept;

    DownloadResult fetch(const DownloadTarget& target, const TransferCallback& progress = {});

    const DownloadOptions& options() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// `FILE.part`: where `Downloader` keeps an unfinished download of `file`.
std::filesystem::path partial_download_path(const std::filesystem::path& file);

}  // namespace edgebench
