#include "edgebench/hw_csv.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <utility>

#include "edgebench/error.hpp"
#include "internal/join.hpp"

namespace edgebench {
namespace {

void put(std::string& out, double value, int decimals) {
    char buffer[64];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed, decimals);
    if (error == std::errc()) out.append(buffer, end);
}

template <typename Integer>
void put(std::string& out, Integer value) {
    char buffer[32];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    if (error == std::errc()) out.append(buffer, end);
}

// Nulls are empty cells, which pandas reads as NaN.
template <typename T>
void put(std::string& out, const std::optional<T>& value) {
    if (value) put(out, *value);
}
void put(std::string& out, const std::optional<double>& value, int decimals) {
    if (value) put(out, *value, decimals);
}

void put_text(std::string& out, const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) {
        out += text;
        return;
    }
    out += '"';
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

// Microseconds for times, a hundredth of a percent for utilisation.
constexpr int kSeconds = 6;
constexpr int kPercent = 2;

struct Column {
    const char* name;
    void (*write)(std::string&, const HwSample&);
};

// The one list of hw.csv's columns: names (with units) and how each is written.
constexpr Column kColumns[] = {
    {"time_unix_s", [](std::string& o, const HwSample& s) { put(o, s.time_unix_s, kSeconds); }},
    {"mono_s", [](std::string& o, const HwSample& s) { put(o, s.mono_s, kSeconds); }},
    {"node", [](std::string& o, const HwSample& s) { put_text(o, s.node); }},
    {"seq", [](std::string& o, const HwSample& s) { put(o, s.seq); }},
    {"interval_s", [](std::string& o, const HwSample& s) { put(o, s.interval_s, kSeconds); }},
    {"pid", [](std::string& o, const HwSample& s) { put(o, s.pid); }},
    {"processes", [](std::string& o, const HwSample& s) { put(o, s.processes); }},
    {"threads", [](std::string& o, const HwSample& s) { put(o, s.threads); }},
    {"cpu_user_s", [](std::string& o, const HwSample& s) { put(o, s.cpu_user_s, kSeconds); }},
    {"cpu_system_s", [](std::string& o, const HwSample& s) { put(o, s.cpu_system_s, kSeconds); }},
    {"cpu_util_pct", [](std::string& o, const HwSample& s) { put(o, s.cpu_util_pct, kPercent); }},
    {"rss_bytes", [](std::string& o, const HwSample& s) { put(o, s.rss_bytes); }},
    {"rss_peak_bytes", [](std::string& o, const HwSample& s) { put(o, s.rss_peak_bytes); }},
    {"cycles", [](std::string& o, const HwSample& s) { put(o, s.cycles); }},
    {"instructions", [](std::string& o, const HwSample& s) { put(o, s.instructions); }},
    {"host_cpu_util_pct", [](std::string& o, const HwSample& s) { put(o, s.host_cpu_util_pct, kPercent); }},
    {"host_mem_total_bytes", [](std::string& o, const HwSample& s) { put(o, s.host_mem_total_bytes); }},
    {"host_mem_used_bytes", [](std::string& o, const HwSample& s) { put(o, s.host_mem_used_bytes); }},
    {"host_mem_available_bytes", [](std::string& o, const HwSample& s) { put(o, s.host_mem_available_bytes); }},
    {"net_rx_bytes", [](std::string& o, const HwSample& s) { put(o, s.net_rx_bytes); }},
    {"net_tx_bytes", [](std::string& o, const HwSample& s) { put(o, s.net_tx_bytes); }},
    {"net_rx_packets", [](std::string& o, const HwSample& s) { put(o, s.net_rx_packets); }},
    {"net_tx_packets", [](std::string& o, const HwSample& s) { put(o, s.net_tx_packets); }},
    {"gpu_count", [](std::string& o, const HwSample& s) { put(o, s.gpu_count); }},
    {"gpu_mem_used_bytes", [](std::string& o, const HwSample& s) { put(o, s.gpu_mem_used_bytes); }},
    {"gpu_mem_total_bytes", [](std::string& o, const HwSample& s) { put(o, s.gpu_mem_total_bytes); }},
    {"gpu_util_pct", [](std::string& o, const HwSample& s) { put(o, s.gpu_util_pct, kPercent); }},
    {"monitor_cpu_s", [](std::string& o, const HwSample& s) { put(o, s.monitor_cpu_s, kSeconds); }},
};

constexpr const char* kNetColumns[] = {"time_unix_s", "mono_s",   "node",       "seq",       "interval_s",
                                       "interface",   "rx_bytes", "tx_bytes", "rx_packets", "tx_packets"};

// Writes all of `text` with one write(2) where the kernel allows (a regular file on a local file
// system takes it whole), retrying the rest otherwise.
void write_all(int fd, std::string_view text, const std::filesystem::path& file) {
    while (!text.empty()) {
        const ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            throw Error(std::string("cannot write: ") + std::strerror(errno), {}, file.string());
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
}

// Opens `file` for appending and makes sure it starts with `header`.
int open_csv(const std::filesystem::path& file, const std::string& header, bool append) {
    const auto parent = file.parent_path();
    if (!parent.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec) throw Error("cannot create directory: " + ec.message(), {}, parent.string());
    }
    const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (append ? 0 : O_TRUNC);
    const int fd = ::open(file.c_str(), flags, 0644);
    if (fd < 0) throw Error(std::string("cannot open for writing: ") + std::strerror(errno), {}, file.string());
    // Another node may be opening the same file right now: decide about the header under a lock.
    ::flock(fd, LOCK_EX);
    struct stat info {};
    const bool empty = ::fstat(fd, &info) == 0 && info.st_size == 0;
    std::string existing;
    if (!empty) {
        const int reader = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (reader >= 0) {
            existing.resize(header.size());
            const ssize_t got = ::pread(reader, existing.data(), existing.size(), 0);
            existing.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
            ::close(reader);
        }
    }
    try {
        if (empty) {
            write_all(fd, header, file);
        } else if (existing != header) {
            throw Error("has other columns than this edgebench's hw.csv; write to a new file or pass append=false", {},
                        file.string());
        }
    } catch (...) {
        ::flock(fd, LOCK_UN);
        ::close(fd);
        throw;
    }
    ::flock(fd, LOCK_UN);
    return fd;
}

}  // namespace

const std::vector<std::string>& hw_csv_columns() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> list;
        for (const auto& column : kColumns) list.emplace_back(column.name);
        return list;
    }();
    return names;
}

const std::vector<std::string>& hw_net_csv_columns() {
    static const std::vector<std::string> names(std::begin(kNetColumns), std::end(kNetColumns));
    return names;
}

std::string hw_csv_header() { return detail::join(hw_csv_columns(), ",") + '\n'; }
std::string hw_net_csv_header() { return detail::join(hw_net_csv_columns(), ",") + '\n'; }

std::string hw_csv_row(const HwSample& sample) {
    std::string row;
    row.reserve(320);
    bool first = true;
    for (const auto& column : kColumns) {
        if (!first) row += ',';
        first = false;
        column.write(row, sample);
    }
    row += '\n';
    return row;
}

std::string hw_net_csv_rows(const HwSample& sample) {
    std::string rows;
    for (const auto& interface : sample.interfaces) {
        put(rows, sample.time_unix_s, kSeconds);
        rows += ',';
        put(rows, sample.mono_s, kSeconds);
        rows += ',';
        put_text(rows, sample.node);
        rows += ',';
        put(rows, sample.seq);
        rows += ',';
        put(rows, sample.interval_s, kSeconds);
        rows += ',';
        put_text(rows, interface.name);
        for (const auto value : {interface.rx_bytes, interface.tx_bytes, interface.rx_packets, interface.tx_packets}) {
            rows += ',';
            put(rows, value);
        }
        rows += '\n';
    }
    return rows;
}

HwCsvSink::HwCsvSink(const std::filesystem::path& file, const std::filesystem::path& net_file, bool append)
    : file_(file), net_file_(net_file) {
    fd_ = open_csv(file_, hw_csv_header(), append);
    if (!net_file_.empty()) {
        try {
            net_fd_ = open_csv(net_file_, hw_net_csv_header(), append);
        } catch (...) {
            ::close(fd_);
            throw;
        }
    }
}

HwCsvSink::~HwCsvSink() {
    if (fd_ >= 0) ::close(fd_);
    if (net_fd_ >= 0) ::close(net_fd_);
}

HwCsvSink::HwCsvSink(HwCsvSink&& other) noexcept
    : file_(std::move(other.file_)),
      net_file_(std::move(other.net_file_)),
      fd_(std::exchange(other.fd_, -1)),
      net_fd_(std::exchange(other.net_fd_, -1)) {}

HwCsvSink& HwCsvSink::operator=(HwCsvSink&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        if (net_fd_ >= 0) ::close(net_fd_);
        file_ = std::move(other.file_);
        net_file_ = std::move(other.net_file_);
        fd_ = std::exchange(other.fd_, -1);
        net_fd_ = std::exchange(other.net_fd_, -1);
    }
    return *this;
}

void HwCsvSink::write(const HwSample& sample) {
    if (fd_ < 0) throw Error("the sink was moved from", {}, file_.string());
    write_all(fd_, hw_csv_row(sample), file_);
    if (net_fd_ >= 0 && !sample.interfaces.empty()) write_all(net_fd_, hw_net_csv_rows(sample), net_file_);
}

}  // namespace edgebench
