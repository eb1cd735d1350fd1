#pragma once
/// \file
/// Content checksums (SHA-256, MD5) for downloaded files, with the `algorithm:hex` text form used on
/// command lines and in manifests.

#include <filesystem>
#include <string>
#include <string_view>

namespace edgebench {

enum class HashAlgorithm { Sha256, Md5 };

/// "sha256" or "md5".
std::string to_string(HashAlgorithm algorithm);

/// An expected digest of a file's bytes.
struct Checksum {
    HashAlgorithm algorithm = HashAlgorithm::Sha256;
    std::string hex;  ///< lower-case hexadecimal digest

    /// Parses `sha256:HEX` or `md5:HEX` (a bare 64-digit HEX is taken as SHA-256, a bare 32-digit one as
    /// MD5); throws `Error` when the text is neither.
    static Checksum parse(std::string_view text);
    /// `algorithm:hex`.
    std::string to_string() const;

    friend bool operator==(const Checksum&, const Checksum&) = default;
};

/// The lower-case hex digest of a file's bytes; throws `Error` naming the file when it cannot be read.
std::string file_digest(const std::filesystem::path& file, HashAlgorithm algorithm);

}  // namespace edgebench
