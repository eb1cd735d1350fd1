#include "internal/zip_member.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "edgebench/error.hpp"
#include "internal/unique_fd.hpp"

namespace edgebench::detail {
namespace {

struct ArchiveCloser {
    // Read-only: zip_discard frees without trying to write anything back.
    void operator()(zip_t* archive) const noexcept { zip_discard(archive); }
};
struct MemberCloser {
    void operator()(zip_file_t* file) const noexcept { zip_fclose(file); }
};

}  // namespace

std::uint64_t extract_zip_member(const std::filesystem::path& archive_path, const std::string& member,
                                 const std::filesystem::path& destination) {
    const std::string archive_name = archive_path.string();
    int code = 0;
    const std::unique_ptr<zip_t, ArchiveCloser> archive(zip_open(archive_path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
    if (!archive) {
        zip_error_t error;
        zip_error_init_with_code(&error, code);
        const std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        throw Error("not a readable zip archive: " + why, {}, archive_name);
    }
    const zip_int64_t index = zip_name_locate(archive.get(), member.c_str(), 0);
    if (index < 0) throw Error("the archive has no member '" + member + "'", {}, archive_name);
    const std::unique_ptr<zip_file_t, MemberCloser> file(zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(index), 0));
    if (!file) throw Error("cannot open member '" + member + "': " + zip_strerror(archive.get()), {}, archive_name);

    auto temporary = destination;
    temporary += ".tmp";
    UniqueFd out(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out) throw Error(std::string("cannot write: ") + std::strerror(errno), {}, temporary.string());
    std::array<char, 1 << 16> buffer{};
    std::uint64_t total = 0;
    auto fail = [&](const std::string& why, const std::string& where) {
        out.reset();
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw Error(why, {}, where);
    };
    for (;;) {
        const zip_int64_t got = zip_fread(file.get(), buffer.data(), buffer.size());
        if (got == 0) break;
        if (got < 0) fail("cannot extract '" + member + "': " + zip_file_strerror(file.get()), archive_name);
        std::size_t done = 0;
        while (done < static_cast<std::size_t>(got)) {
            const ssize_t n = ::write(out.get(), buffer.data() + done, static_cast<std::size_t>(got) - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail(std::string("cannot write: ") + std::strerror(errno), temporary.string());
            done += static_cast<std::size_t>(n);
        }
        total += static_cast<std::uint64_t>(got);
    }
    if (out.close() != 0) fail(std::string("cannot write: ") + std::strerror(errno), temporary.string());
    std::error_code ec;
    std::filesystem::rename(temporary, destination, ec);
    if (ec) throw Error("cannot rename into place: " + ec.message(), {}, destination.string());
    return total;
}

}  // namespace edgebench::detail
