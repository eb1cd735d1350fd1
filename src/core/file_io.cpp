#include "internal/file_io.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "edgebench/error.hpp"

namespace edgebench::detail {
namespace {

template <typename Container>
Container read_all(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        const int saved = errno;
        std::error_code ec;
        if (!std::filesystem::exists(file, ec)) throw Error("file not found", {}, file.string());
        throw Error(std::string("cannot open: ") + std::strerror(saved), {}, file.string());
    }
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0) throw Error("cannot determine the file size", {}, file.string());
    in.seekg(0, std::ios::beg);
    Container data(static_cast<std::size_t>(size), {});
    if (size > 0 && !in.read(reinterpret_cast<char*>(data.data()), size)) {
        throw Error("read failed", {}, file.string());
    }
    return data;
}

}  // namespace

std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& file) {
    return read_all<std::vector<std::uint8_t>>(file);
}

std::string read_file_text(const std::filesystem::path& file) { return read_all<std::string>(file); }

void write_file_atomically(const std::filesystem::path& file, std::string_view content) {
    const auto parent = file.parent_path();
    if (!parent.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec) throw Error("cannot create directory: " + ec.message(), {}, parent.string());
    }
    auto temporary = file;
    temporary += ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(std::string("cannot write: ") + std::strerror(errno), {}, temporary.string());
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) throw Error("write failed (disk full?)", {}, temporary.string());
    }
    std::error_code ec;
    std::filesystem::rename(temporary, file, ec);
    if (ec) throw Error("cannot rename into place: " + ec.message(), {}, file.string());
}

}  // namespace edgebench::detail
