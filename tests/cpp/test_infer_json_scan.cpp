// The wire format's pieces: base64, the fast path that cuts the image out of a JSON request before
// parsing the rest, and that path's agreement with a full parse.

#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "edgebench/base64.hpp"
#include "edgebench/error.hpp"
#include "edgebench/infer_protocol.hpp"
#include "internal/json_member_scan.hpp"

using namespace edgebench;
using nlohmann::json;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> bytes(n);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    return bytes;
}

std::string field_of(const std::function<void()>& work) {
    try {
        work();
    } catch (const Error& error) {
        return error.field() + ": " + error.message();
    }
    return "(no error)";
}

}  // namespace

TEST(Base64, RoundTripsEveryLengthWithAndWithoutPadding) {
    for (std::size_t n = 0; n < 70; ++n) {
        const auto bytes = random_bytes(n, static_cast<unsigned>(n));
        const std::string text = base64_encode(bytes);
        EXPECT_EQ(text.size(), (n + 2) / 3 * 4);
        EXPECT_EQ(base64_decode(text), bytes) << n;
        std::string unpadded = text;
        while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
        EXPECT_EQ(base64_decode(unpadded), bytes) << n;
    }
    EXPECT_EQ(base64_encode(std::vector<std::uint8_t>{'M', 'a', 'n'}), "TWFu");
    const auto decoded = base64_decode("TWE=");
    EXPECT_EQ(std::string(decoded.begin(), decoded.end()), "Ma");
}

TEST(Base64, BadInputNamesTheCharacterAndItsPosition) {
    EXPECT_EQ(field_of([] { base64_decode("TWFuTW@u", "img"); }), "img: invalid base64 character '@' at position 6");
    EXPECT_EQ(field_of([] { base64_decode("TWFuT\nFu"); }), "image_b64: invalid base64 character 0x0A at position 5");
    EXPECT_EQ(field_of([] { base64_decode("TW-"); }), "image_b64: invalid base64 character '-' at position 2");
    EXPECT_NE(field_of([] { base64_decode("TWFuT"); }).find("truncated base64"), std::string::npos);
    EXPECT_NE(field_of([] { base64_decode("TWE=TWFu"); }).find("invalid base64 character '=' at position 3"), std::string::npos);
    EXPECT_NE(field_of([] { base64_decode("TWF=="); }).find("multiple of 4"), std::string::npos);
}

TEST(JsonMemberScan, FindsOnlyAPlainTopLevelStringMember) {
    using detail::find_plain_string_member;
    const std::string doc = R"({"a": {"image_b64": "inner"}, "list": ["image_b64", "x"], "image_b64" : "QUJD", "z": 1})";
    const auto found = find_plain_string_member(doc, "image_b64");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(doc.substr(found->begin, found->end - found->begin), "QUJD");
    EXPECT_FALSE(find_plain_string_member(R"({"a": {"image_b64": "inner"}})", "image_b64"));
    EXPECT_FALSE(find_plain_string_member(R"({"image_b64": "QU\/J"})", "image_b64"));       // an escape
    EXPECT_FALSE(find_plain_string_member(R"({"image_b64": 12})", "image_b64"));            // not a string
    EXPECT_FALSE(find_plain_string_member(R"({"image_b64": "A", "image_b64": "B"})", "image_b64"));  // repeated
    EXPECT_FALSE(find_plain_string_member(R"({"image_b64": "unterminated)", "image_b64"));
    EXPECT_FALSE(find_plain_string_member(R"(["image_b64", "x"])", "image_b64"));
    const std::string quoted = R"({"k\"image_b64": "no", "image_b64": "yes"})";
    const auto after_escape = find_plain_string_member(quoted, "image_b64");
    ASSERT_TRUE(after_escape.has_value());
    EXPECT_EQ(quoted.substr(after_escape->begin, after_escape->end - after_escape->begin), "yes");
}

TEST(InferJson, TheFastPathAgreesWithAFullParse) {
    const auto image = random_bytes(5000, 9);
    const std::string b64 = base64_encode(image);
    const json annotations = {{{"category_id", 3}, {"bbox", {1, 2, 3, 4}}, {"id", 11}}};
    // Same request, written so that the fast path applies (plain) and so that it cannot (escaped '/').
    std::string escaped;
    for (const char c : b64) {
        if (c == '/') escaped += '\\';
        escaped += c;
    }
    const std::string plain = json({{"image_id", 5}, {"annotations", annotations}, {"request_id", "r-1"}, {"image_b64", b64}}).dump();
    const std::string with_escapes = R"({"image_id": 5, "request_id": "r-1", "annotations": )" + annotations.dump() +
                                     R"(, "image_b64": ")" + escaped + "\"}";
    for (const auto& body : {plain, with_escapes}) {
        const InferRequest request = parse_infer_json(body);
        EXPECT_EQ(request.image, image);
        EXPECT_EQ(request.image_id, 5);
        EXPECT_EQ(request.request_id, "r-1");
        ASSERT_EQ(request.annotations.size(), 1u);
        EXPECT_EQ(request.annotations[0].id, 11);
        EXPECT_TRUE(request.has_ground_truth);
    }
    // Errors read the same on both paths.
    EXPECT_EQ(field_of([] { parse_infer_json(R"({"image_id": "x", "image_b64": "QUJD"})"); }),
              "image_id: expected an integer, got string \"x\"");
    EXPECT_EQ(field_of([] { parse_infer_json(R"({"image_id": 1})"); }), "image_b64: missing required field");
    EXPECT_EQ(field_of([] { parse_infer_json(R"({"image_id": 1, "image_b64": 7})"); }).substr(0, 19), "image_b64: expected");
    EXPECT_EQ(field_of([] { parse_infer_json(R"({"image_id": 1, "image_b64": "QU@D"})"); }),
              "image_b64: invalid base64 character '@' at position 2");
    const std::string malformed = field_of([] { parse_infer_json(R"({"image_id": 1, "image_b64": "QUJD", "x": })"); });
    EXPECT_NE(malformed.find("invalid JSON at line 1, column 43"), std::string::npos) << malformed;
    EXPECT_NE(field_of([] { parse_infer_json(R"({"image_id": 1, "image_b64": ""})"); }).find("empty"), std::string::npos);
}
