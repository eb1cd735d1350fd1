#include "edgebench/checksum.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "edgebench/error.hpp"
#include "internal/ascii_lower.hpp"
#include "internal/hasher.hpp"
#include "internal/unique_fd.hpp"

namespace edgebench {
namespace {

bool is_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::size_t hex_length(HashAlgorithm algorithm) { return algorithm == HashAlgorithm::Sha256 ? 64 : 32; }

}  // namespace

std::string to_string(HashAlgorithm algorithm) { return algorithm == HashAlgorithm::Sha256 ? "sha256" : "md5"; }

Checksum Checksum::parse(std::string_view text) {
    Checksum checksum;
    std::string_view digits = text;
    const auto colon = text.find(':');
    if (colon != std::string_view::npos) {
        const std::string name = detail::ascii_lower(text.substr(0, colon));
        if (name == "sha256" || name == "sha-256") {
            checksum.algorithm = HashAlgorithm::Sha256;
        } else if (name == "md5") {
            checksum.algorithm = HashAlgorithm::Md5;
        } else {
            throw Error("unknown checksum algorithm '" + name + "' (expected sha256 or md5)", "checksum");
        }
        digits = text.substr(colon + 1);
    } else if (digits.size() == 32) {
        checksum.algorithm = HashAlgorithm::Md5;
    }
    if (!is_hex(digits) || digits.size() != hex_length(checksum.algorithm)) {
        throw Error("'" + std::string(text) + "' is not a " + edgebench::to_string(checksum.algorithm) + " digest (" +
                        std::to_string(hex_length(checksum.algorithm)) + " hex digits)",
                    "checksum");
    }
    checksum.hex = detail::ascii_lower(digits);
    return checksum;
}

std::string Checksum::to_string() const { return edgebench::to_string(algorithm) + ":" + hex; }

std::string file_digest(const std::filesystem::path& file, HashAlgorithm algorithm) {
    const detail::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error(std::string("cannot open: ") + std::strerror(errno), {}, file.string());
    detail::Hasher hasher(algorithm);
    std::array<char, 1 << 16> buffer{};
    for (;;) {
        const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            throw Error(std::string("read failed: ") + std::strerror(errno), {}, file.string());
        }
        hasher.update(buffer.data(), static_cast<std::size_t>(got));
    }
    return hasher.finish();
}

namespace detail {

struct Hasher::Context {
    struct Deleter {
        void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
    };
    std::unique_ptr<EVP_MD_CTX, Deleter> evp{EVP_MD_CTX_new()};
};

Hasher::Hasher(HashAlgorithm algorithm) : algorithm_(algorithm), context_(std::make_unique<Context>()) {
    if (!context_->evp) throw Error("OpenSSL could not create a digest context");
    reset();
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::reset() {
    const EVP_MD* type = algorithm_ == HashAlgorithm::Sha256 ? EVP_sha256() : EVP_md5();
    if (EVP_DigestInit_ex(context_->evp.get(), type, nullptr) != 1) {
        throw Error("OpenSSL cannot compute " + to_string(algorithm_) + " here");
    }
}

void Hasher::update(const void* data, std::size_t size) {
    if (size > 0 && EVP_DigestUpdate(context_->evp.get(), data, size) != 1) throw Error("OpenSSL digest update failed");
}

std::string Hasher::finish() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->evp.get(), digest.data(), &length) != 1) throw Error("OpenSSL digest failed");
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        hex += kDigits[digest[i] >> 4];
        hex += kDigits[digest[i] & 0x0f];
    }
    reset();
    return hex;
}

}  // namespace detail
}  // namespace edgebench
