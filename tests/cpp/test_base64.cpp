#include <gtest/gtest.h>

#include <random>

#include "edgebench/base64.hpp"
#include "edgebench/error.hpp"

using namespace edgebench;

namespace {
std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }
}  // namespace

TEST(Base64, KnownVectors) {
    // RFC 4648 section 10.
    const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(bytes(plain)), encoded);
        EXPECT_EQ(base64_decode(encoded), bytes(plain));
    }
    EXPECT_EQ(base64_decode("Zm9vYg"), bytes("foob"));  // padding may be omitted
}

TEST(Base64, RoundTripsRandomBinary) {
    std::mt19937 rng(1);
    for (std::size_t size : {1u, 2u, 3u, 4u, 100u, 4097u}) {
        std::vector<std::uint8_t> data(size);
        for (auto& b : data) b = static_cast<std::uint8_t>(rng());
        EXPECT_EQ(base64_decode(base64_encode(data)), data) << size;
    }
}

TEST(Base64, BadInputNamesTheProblem) {
    try {
        (void)base64_decode("Zm9v!mFy", "image_b64");
        FAIL();
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "image_b64");
        EXPECT_NE(error.message().find("'!' at position 4"), std::string::npos) << error.what();
    }
    EXPECT_THROW((void)base64_decode("Zm9vY"), Error);      // 5 characters: truncated
    EXPECT_THROW((void)base64_decode("Zm9v\nYmFy"), Error);  // whitespace
    EXPECT_THROW((void)base64_decode("Zg="), Error);         // padded but not a multiple of 4
    EXPECT_THROW((void)base64_decode(std::string("Zm\0v", 4)), Error);
}
