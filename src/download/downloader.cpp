#include "edgebench/downloader.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "edgebench/error.hpp"
#include "edgebench/version.hpp"
#include "internal/ascii_lower.hpp"
#include "internal/curl_handle.hpp"
#include "internal/hasher.hpp"
#include "internal/unique_fd.hpp"

namespace edgebench {
namespace {

using detail::Hasher;
using detail::UniqueFd;

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::optional<std::uint64_t> parse_unsigned(const std::string& text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return std::nullopt;
    }
    try {
        return std::stoull(text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// `Content-Range: bytes FIRST-LAST/TOTAL` (206) or `bytes */TOTAL` (416).
struct ContentRange {
    std::optional<std::uint64_t> first;
    std::optional<std::uint64_t> total;
};

std::optional<ContentRange> parse_content_range(const std::string& value) {
    const std::string text = trim(value);
    if (detail::ascii_lower(text.substr(0, 6)) != "bytes ") return std::nullopt;
    const auto slash = text.find('/');
    if (slash == std::string::npos) return std::nullopt;
    ContentRange range;
    range.total = parse_unsigned(trim(text.substr(slash + 1)));
    const std::string span = trim(text.substr(6, slash - 6));
    if (span != "*") {
        const auto dash = span.find('-');
        if (dash == std::string::npos) return std::nullopt;
        range.first = parse_unsigned(span.substr(0, dash));
        if (!range.first) return std::nullopt;
    }
    return range;
}

/// A strong ETag that is 32 hex digits is the MD5 of the content on S3 (multipart uploads have a "-N"
/// suffix and are not); anything else says nothing about the bytes.
std::optional<std::string> etag_md5(const std::string& etag) {
    std::string text = trim(etag);
    if (text.size() == 34 && text.front() == '"' && text.back() == '"') text = text.substr(1, 32);
    if (text.size() != 32) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; })) return std::nullopt;
    return detail::ascii_lower(text);
}

bool transient_status(long status) { return status >= 500 || status == 408 || status == 429; }

bool transient_curl_error(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_PARTIAL_FILE:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_SSL_CONNECT_ERROR: return true;
        default: return false;
    }
}

/// Everything one HTTP request touches from libcurl's callbacks.
struct Attempt {
    int fd = -1;
    Hasher* sha256 = nullptr;
    Hasher* md5 = nullptr;
    std::uint64_t offset = 0;         // bytes of the partial file before this request
    std::uint64_t fetched_before = 0;  // bytes fetched by earlier requests of the same call
    const TransferCallback* progress = nullptr;
    std::optional<std::uint64_t> expected_size;

    // The last response's status line and headers (a redirect starts a new response).
    long status = 0;
    std::string reason;
    std::string etag;
    std::optional<std::uint64_t> content_length;
    std::optional<ContentRange> content_range;

    bool body_started = false;
    bool keep_body = false;
    bool restarted = false;  // the server ignored the range: the file starts over
    std::uint64_t written = 0;
    // Why a callback stopped the transfer: a write error is permanent, a wrong range is not.
    std::string write_failure;
    std::string range_failure;
    std::string size_failure;
    bool cancelled = false;

    std::optional<std::uint64_t> total() const {
        if (status == 206 && content_range && content_range->total) return content_range->total;
        if (status == 200 && content_length) return content_length;
        return std::nullopt;
    }
    TransferProgress snapshot() const {
        return TransferProgress{(restarted ? 0 : offset) + written, fetched_before + written, total()};
    }
    /// Tells the caller's callback; false when it asked to cancel.
    bool report() {
        if (progress && *progress && !(*progress)(snapshot())) cancelled = true;
        return !cancelled;
    }
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto& attempt = *static_cast<Attempt*>(user);
    const std::string line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0) {
        attempt.status = 0;
        attempt.reason.clear();
        attempt.etag.clear();
        attempt.content_length.reset();
        attempt.content_range.reset();
        const auto space = line.find(' ');
        if (space != std::string::npos) {
            const auto second = line.find(' ', space + 1);
            attempt.status = std::strtol(line.c_str() + space + 1, nullptr, 10);
            if (second != std::string::npos) attempt.reason = trim(line.substr(second + 1));
        }
        return size * count;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) return size * count;
    const std::string name = detail::ascii_lower(trim(line.substr(0, colon)));
    const std::string value = trim(line.substr(colon + 1));
    if (name == "etag") attempt.etag = value;
    if (name == "content-length") attempt.content_length = parse_unsigned(value);
    if (name == "content-range") attempt.content_range = parse_content_range(value);
    return size * count;
}

bool write_all(int fd, const char* data, std::size_t size, std::size_t& written) {
    written = 0;
    while (written < size) {
        const ssize_t n = ::write(fd, data + written, size - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        written += static_cast<std::size_t>(n);
    }
    return true;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& attempt = *static_cast<Attempt*>(user);
    const std::size_t bytes = size * count;
    if (!attempt.body_started) {
        attempt.body_started = true;
        if (attempt.status != 200 && attempt.status != 206) return bytes;  // an error page, dropped below
        if (attempt.status == 206 && (!attempt.content_range || attempt.content_range->first != attempt.offset)) {
            attempt.range_failure = "the server answered a request for bytes " + std::to_string(attempt.offset) +
                                    "- with a different range";
            return 0;
        }
        // Refuse a file of the wrong size before a byte of it is written (or a partial file discarded).
        const auto total = attempt.total();
        if (attempt.expected_size && total && *total != *attempt.expected_size) {
            attempt.size_failure = "the server announces " + std::to_string(*total) +
                                   " bytes but the file should have " + std::to_string(*attempt.expected_size) +
                                   "; not downloading it";
            return 0;
        }
        if (attempt.status == 200 && attempt.offset > 0) {
            // The server ignored the Range header and sends the whole file: start over.
            if (::ftruncate(attempt.fd, 0) != 0) {
                attempt.write_failure = std::string("cannot truncate: ") + std::strerror(errno);
                return 0;
            }
            attempt.sha256->reset();
            if (attempt.md5) attempt.md5->reset();
            attempt.restarted = true;
        }
        attempt.keep_body = true;
    }
    // Error pages (404, 500, 416 ...) are read and dropped; the status says what happened.
    if (!attempt.keep_body) return bytes;
    std::size_t written = 0;
    const bool ok = write_all(attempt.fd, data, bytes, written);
    // Hash exactly what reached the file, so that a resume after a failed write starts from a true state.
    attempt.sha256->update(data, written);
    if (attempt.md5) attempt.md5->update(data, written);
    attempt.written += written;
    if (!ok) {
        attempt.write_failure = std::string("cannot write: ") + std::strerror(errno);
        return 0;
    }
    return attempt.report() ? bytes : 0;
}

// Also called while no data arrives, so that a cancellation does not wait for the next byte.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto& attempt = *static_cast<Attempt*>(user);
    return attempt.keep_body && !attempt.report() ? 1 : 0;
}

std::uint64_t regular_file_size(int fd) {
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return 0;
    return static_cast<std::uint64_t>(info.st_size);
}

void hash_prefix(const std::filesystem::path& part, std::uint64_t size, Hasher& sha256, Hasher* md5) {
    if (size == 0) return;
    const UniqueFd fd(::open(part.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error(std::string("cannot read: ") + std::strerror(errno), {}, part.string());
    std::array<char, 1 << 16> buffer{};
    std::uint64_t left = size;
    while (left > 0) {
        const ssize_t got = ::read(fd.get(), buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size())));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) throw Error("cannot read the partial download", {}, part.string());
        sha256.update(buffer.data(), static_cast<std::size_t>(got));
        if (md5) md5->update(buffer.data(), static_cast<std::size_t>(got));
        left -= static_cast<std::uint64_t>(got);
    }
}

std::uint64_t size_on_disk(const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    return ec ? 0 : size;
}

}  // namespace

std::filesystem::path partial_download_path(const std::filesystem::path& file) {
    auto part = file;
    part += ".part";
    return part;
}

struct Downloader::State {
    DownloadOptions options;
    detail::CurlEasyHandle handle;
    std::array<char, CURL_ERROR_SIZE> error_text{};
};

Downloader::Downloader(DownloadOptions options) : state_(std::make_unique<State>()) {
    if (options.attempts < 1) throw Error("must be at least 1", "attempts");
    if (options.user_agent.empty()) options.user_agent = std::string("edgebench/") + kVersion;
    state_->options = std::move(options);
    state_->handle.reset(curl_easy_init());
    if (!state_->handle) throw Error("libcurl could not create a handle");
}

Downloader::~Downloader() = default;
Downloader::Downloader(Downloader&&) noexcept = default;
Downloader& Downloader::operator=(Downloader&&) noexcept = default;

const DownloadOptions& Downloader::options() const noexcept { return state_->options; }

DownloadResult Downloader::fetch(const DownloadTarget& target, const TransferCallback& progress) {
    const auto& options = state_->options;
    const std::string file_name = target.file.string();
    const auto part = partial_download_path(target.file);
    const std::string part_name = part.string();
    DownloadResult result;
    result.file = target.file;

    // The final name is only ever given to a verified file; check it against what is known now.
    std::error_code ec;
    if (std::filesystem::is_regular_file(target.file, ec)) {
        result.size = size_on_disk(target.file);
        result.already_complete = true;
        if (target.expected_size && result.size != *target.expected_size) {
            throw Error("exists with " + std::to_string(result.size) + " bytes but should have " +
                            std::to_string(*target.expected_size) + "; delete it to download it again",
                        {}, file_name);
        }
        if (target.expected_size) result.verified.push_back("size = expected");
        if (target.expected_checksum) {
            const std::string digest = file_digest(target.file, target.expected_checksum->algorithm);
            if (digest != target.expected_checksum->hex) {
                throw Error("exists but its " + to_string(target.expected_checksum->algorithm) + " is " + digest +
                                ", expected " + target.expected_checksum->hex + "; delete it to download it again",
                            {}, file_name);
            }
            if (target.expected_checksum->algorithm == HashAlgorithm::Sha256) result.sha256 = digest;
            result.verified.push_back(to_string(target.expected_checksum->algorithm) + " = expected");
        }
        if (progress) progress(TransferProgress{result.size, 0, result.size});
        return result;
    }

    if (!target.file.parent_path().empty()) {
        std::filesystem::create_directories(target.file.parent_path(), ec);
        if (ec) throw Error("cannot create directory: " + ec.message(), {}, target.file.parent_path().string());
    }
    // A failure before the first byte leaves no empty `.part` behind (declared before the descriptor,
    // so that it runs after the descriptor is closed).
    struct RemoveIfEmpty {
        const std::filesystem::path& part;
        ~RemoveIfEmpty() {
            std::error_code ignored;
            if (std::filesystem::symlink_status(part, ignored).type() == std::filesystem::file_type::regular &&
                std::filesystem::file_size(part, ignored) == 0) {
                std::filesystem::remove(part, ignored);
            }
        }
    } remove_if_empty{part};
    UniqueFd fd(::open(part.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd) throw Error(std::string("cannot open for writing: ") + std::strerror(errno), {}, part_name);
    std::uint64_t offset = regular_file_size(fd.get());

    Hasher sha256(HashAlgorithm::Sha256);
    std::optional<Hasher> md5;
    const bool want_md5 = options.verify_etag_md5 ||
                          (target.expected_checksum && target.expected_checksum->algorithm == HashAlgorithm::Md5);
    if (want_md5) md5.emplace(HashAlgorithm::Md5);
    auto start_over = [&] {
        if (::ftruncate(fd.get(), 0) != 0) throw Error(std::string("cannot truncate: ") + std::strerror(errno), {}, part_name);
        offset = 0;
        sha256.reset();
        if (md5) md5->reset();
    };
    if (target.expected_size && offset > *target.expected_size) start_over();
    // Resuming needs the digest of what is already there; hashing it now keeps verification to one pass.
    hash_prefix(part, offset, sha256, md5 ? &*md5 : nullptr);

    CURL* curl = state_->handle.get();
    std::optional<std::uint64_t> total;
    std::string total_source;  // the header that gave `total`
    std::string etag;
    int tries = 0;
    bool range_refused_once = false;
    for (;;) {
        ++tries;
        ++result.attempts;
        Attempt attempt;
        attempt.fd = fd.get();
        attempt.sha256 = &sha256;
        attempt.md5 = md5 ? &*md5 : nullptr;
        attempt.offset = offset;
        attempt.fetched_before = result.bytes_fetched;
        attempt.progress = &progress;
        attempt.expected_size = target.expected_size;

        curl_easy_reset(curl);  // keeps the connection cache
        state_->error_text[0] = '\0';
        curl_easy_setopt(curl, CURLOPT_URL, target.url.c_str());
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, state_->error_text.data());
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_s);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &attempt);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &attempt);
        const std::string range = std::to_string(offset) + "-";
        if (offset > 0) curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());
        if (progress) progress(TransferProgress{offset, result.bytes_fetched, total});

        const CURLcode code = curl_easy_perform(curl);
        if (attempt.restarted) offset = 0;
        offset += attempt.written;
        result.bytes_fetched += attempt.written;
        if (attempt.keep_body) {
            if (attempt.total()) {
                total = attempt.total();
                total_source = attempt.status == 206 ? "Content-Range" : "Content-Length";
            }
            etag = attempt.etag;
        }
        if (attempt.status == 206) result.resumed = true;
        if (attempt.restarted) result.resumed = false;

        if (!attempt.write_failure.empty()) throw Error(attempt.write_failure, {}, part_name);
        if (attempt.cancelled || code == CURLE_ABORTED_BY_CALLBACK) {
            throw Error("download cancelled; " + std::to_string(offset) + " bytes kept in " + part_name, {}, target.url);
        }
        if (!attempt.size_failure.empty()) throw Error(attempt.size_failure, {}, target.url);

        // Decide: done, start over, retry, or give up.
        std::string problem;
        bool transient = false;
        if (!attempt.range_failure.empty()) {
            start_over();
            problem = attempt.range_failure;
            transient = true;
        } else if (code != CURLE_OK) {
            problem = state_->error_text[0] ? std::string(state_->error_text.data()) : curl_easy_strerror(code);
            transient = transient_curl_error(code);
        } else if (attempt.status == 416 && offset > 0) {
            // Nothing left to send for our range: either the partial file is already whole, or it is
            // longer than the remote file (which then changed), and only a fresh start helps.
            const auto remote = attempt.content_range ? attempt.content_range->total : std::nullopt;
            if (remote && *remote == offset) {
                total = remote;
                total_source = "Content-Range";
                break;
            }
            if (range_refused_once) {
                problem = "HTTP 416 Range Not Satisfiable even for a fresh download";
            } else {
                range_refused_once = true;
                start_over();
                --tries;  // not a failure of the network
                continue;
            }
        } else if (attempt.status != 200 && attempt.status != 206) {
            problem = "HTTP " + std::to_string(attempt.status) + (attempt.reason.empty() ? "" : " " + attempt.reason);
            transient = transient_status(attempt.status);
        } else if (total && offset != *total) {
            problem = "the transfer ended after " + std::to_string(offset) + " of " + std::to_string(*total) + " bytes";
            transient = true;
        } else {
            break;  // complete
        }

        if (!transient || tries >= options.attempts) {
            std::string message = problem;
            if (tries > 1) message += " (after " + std::to_string(tries) + " tries)";
            if (offset > 0) message += "; " + std::to_string(offset) + " bytes kept in " + part_name + ", run again to resume";
            throw Error(message, {}, target.url);
        }
        const long delay = options.retry_delay_ms << std::min(tries - 1, 6);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    }

    // Verify, from the cheapest check to the most expensive, before the file gets its final name.
    auto reject = [&](const std::string& why) {
        fd.reset();
        std::filesystem::remove(part, ec);
        throw Error(why + " (from " + target.url + "); the download was deleted, run again to fetch it anew", {}, file_name);
    };
    result.size = offset;
    result.sha256 = sha256.finish();
    const std::string md5_hex = md5 ? md5->finish() : std::string();
    if (total) result.verified.push_back("size = " + total_source);
    if (target.expected_size) {
        if (result.size != *target.expected_size) {
            reject("has " + std::to_string(result.size) + " bytes, expected " + std::to_string(*target.expected_size));
        }
        result.verified.push_back("size = expected");
    }
    if (target.expected_checksum) {
        const auto& expected = *target.expected_checksum;
        const std::string& actual = expected.algorithm == HashAlgorithm::Sha256 ? result.sha256 : md5_hex;
        if (actual != expected.hex) {
            reject(to_string(expected.algorithm) + " mismatch: got " + actual + ", expected " + expected.hex);
        }
        result.verified.push_back(to_string(expected.algorithm) + " = expected");
    }
    if (options.verify_etag_md5) {
        if (const auto tag = etag_md5(etag)) {
            if (*tag != md5_hex) reject("md5 mismatch: got " + md5_hex + ", the server's ETag says " + *tag);
            result.verified.push_back("md5 = ETag");
        }
    }
    if (target.content_check) {
        if (const auto why = target.content_check(part)) reject(*why);
        result.verified.push_back("content");
    }
    if (fd.close() != 0) throw Error(std::string("cannot write: ") + std::strerror(errno), {}, part_name);
    std::filesystem::rename(part, target.file, ec);
    if (ec) throw Error("cannot rename into place: " + ec.message(), {}, file_name);
    if (progress) progress(TransferProgress{result.size, result.bytes_fetched, result.size});
    return result;
}

}  // namespace edgebench
