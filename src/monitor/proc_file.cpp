#include "monitor/proc_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edgebench::detail {
namespace {

// Reads from offset 0 until EOF into `buffer`, growing it as needed. /proc files report size 0, so
// the only way to know the length is to read until read() returns 0.
std::string read_all(int fd, std::string& buffer, std::size_t& length) {
    if (buffer.size() < 4096) buffer.resize(4096);
    length = 0;
    for (;;) {
        if (length == buffer.size()) buffer.resize(buffer.size() * 2);
        const ssize_t got = ::pread(fd, buffer.data() + length, buffer.size() - length, static_cast<off_t>(length));
        if (got < 0) {
            if (errno == EINTR) continue;
            return std::strerror(errno);
        }
        if (got == 0) return {};
        length += static_cast<std::size_t>(got);
    }
}

}  // namespace

ProcFile::ProcFile(std::string path) : path_(std::move(path)) {
    fd_.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_) open_error_ = std::strerror(errno);
}

ProcText ProcFile::read() {
    if (!fd_) return {{}, open_error_.empty() ? "not open" : open_error_};
    std::size_t length = 0;
    std::string error = read_all(fd_.get(), buffer_, length);
    if (!error.empty()) return {{}, std::move(error)};
    return {std::string_view(buffer_.data(), length), {}};
}

std::string read_proc_once(const std::string& path, std::string& out, int* error_number) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (error_number) *error_number = errno;
        return std::strerror(errno);
    }
    std::size_t length = 0;
    std::string error = read_all(fd.get(), out, length);
    if (!error.empty() && error_number) *error_number = errno;
    out.resize(error.empty() ? length : 0);
    return error;
}

}  // namespace edgebench::detail
