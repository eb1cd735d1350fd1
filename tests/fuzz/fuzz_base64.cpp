// base64 as the JSON wire format carries images (`image_b64`): decoding arbitrary text either fails with
// `Error` or gives bytes that encode back to text decoding to the same bytes; encoding arbitrary bytes
// decodes back to them.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "edgebench/base64.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace edgebench;
    fuzz::expect_errors_only([&] {
        const std::vector<std::uint8_t> decoded = base64_decode(fuzz::text_of(data, size));
        fuzz::check(decoded.size() <= size / 4 * 3 + 2, "decoded more bytes than the text can hold");
        fuzz::check(base64_decode(base64_encode(decoded)) == decoded, "decode(encode(decode(x))) != decode(x)");
    });

    const std::string encoded = base64_encode(fuzz::bytes_of(data, size));
    fuzz::check(encoded.size() == (size + 2) / 3 * 4, "encoded length is not 4 * ceil(n / 3)");
    std::vector<std::uint8_t> back;
    fuzz::expect_errors_only([&] { back = base64_decode(encoded); });
    fuzz::check(back == std::vector<std::uint8_t>(data, data + size), "decode(encode(x)) != x");
    return 0;
}
