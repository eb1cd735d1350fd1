#pragma once
// Incremental message digests on OpenSSL's libcrypto, so that a download is hashed while it is written
// instead of being read back afterwards.

#include <cstddef>
#include <memory>
#include <string>

#include "edgebench/checksum.hpp"

namespace edgebench::detail {

class Hasher {
public:
    explicit Hasher(HashAlgorithm algorithm);
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;

    HashAlgorithm algorithm() const noexcept { return algorithm_; }
    void update(const void* data, std::size_t size);
    /// The digest of everything fed so far, as lower-case hex; the hasher starts afresh afterwards.
    std::string finish();
    /// Forgets everything fed so far.
    void reset();

private:
    struct Context;
    HashAlgorithm algorithm_;
    std::unique_ptr<Context> context_;
};

}  // namespace edgebench::detail
