#include "edgebench/base64.hpp"

#include <array>
#include <cstdio>

#include "edgebench/error.hpp"

namespace edgebench {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_decode_table() {
    std::array<std::int8_t, 256> table{};
    for (auto& entry : table) entry = -1;
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}

constexpr auto kDecode = make_decode_table();

std::string describe(char c) {
    if (c >= 0x21 && c <= 0x7E) return std::string("'") + c + "'";
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "0x%02X", static_cast<unsigned char>(c));
    return buffer;
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> data) {
    std::string out;
    out.resize((data.size() + 2) / 3 * 4);
    std::size_t o = 0;
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        out[o++] = kAlphabet[(v >> 18) & 63];
        out[o++] = kAlphabet[(v >> 12) & 63];
        out[o++] = kAlphabet[(v >> 6) & 63];
        out[o++] = kAlphabet[v & 63];
    }
    if (i < data.size()) {
        std::uint32_t v = std::uint32_t{data[i]} << 16;
        if (i + 1 < data.size()) v |= std::uint32_t{data[i + 1]} << 8;
        out[o++] = kAlphabet[(v >> 18) & 63];
        out[o++] = kAlphabet[(v >> 12) & 63];
        out[o++] = i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    return out;
}

std::vector<std::uint8_t> base64_decode(std::string_view text, const std::string& field) {
    std::size_t length = text.size();
    std::size_t padding = 0;
    while (length > 0 && text[length - 1] == '=' && padding < 2) {
        --length;
        ++padding;
    }
    if (padding > 0 && text.size() % 4 != 0) throw Error("padded base64 must have a length that is a multiple of 4", field);
    if (length % 4 == 1) throw Error("truncated base64 (length " + std::to_string(text.size()) + ")", field);
    const auto invalid = [&](std::size_t from) {
        std::size_t i = from;
        while (kDecode[static_cast<unsigned char>(text[i])] >= 0) ++i;
        return Error("invalid base64 character " + describe(text[i]) + " at position " + std::to_string(i), field);
    };
    std::vector<std::uint8_t> out(length / 4 * 3 + (length % 4 == 0 ? 0 : length % 4 - 1));
    // Whole groups of four characters into three bytes; a negative table entry anywhere marks a bad
    // character (checked once per group, not per character).
    std::size_t i = 0;
    std::size_t o = 0;
    for (; i + 4 <= length; i += 4) {
        const int a = kDecode[static_cast<unsigned char>(text[i])];
        const int b = kDecode[static_cast<unsigned char>(text[i + 1])];
        const int c = kDecode[static_cast<unsigned char>(text[i + 2])];
        const int d = kDecode[static_cast<unsigned char>(text[i + 3])];
        if ((a | b | c | d) < 0) throw invalid(i);
        const std::uint32_t v = (static_cast<std::uint32_t>(a) << 18) | (static_cast<std::uint32_t>(b) << 12) |
                                (static_cast<std::uint32_t>(c) << 6) | static_cast<std::uint32_t>(d);
        out[o++] = static_cast<std::uint8_t>(v >> 16);
        out[o++] = static_cast<std::uint8_t>(v >> 8);
        out[o++] = static_cast<std::uint8_t>(v);
    }
    // The last two or three characters (one or two bytes).
    if (i < length) {
        std::uint32_t v = 0;
        const std::size_t rest = length - i;
        for (std::size_t k = 0; k < rest; ++k) {
            const int value = kDecode[static_cast<unsigned char>(text[i + k])];
            if (value < 0) throw invalid(i);
            v |= static_cast<std::uint32_t>(value) << (18 - 6 * k);
        }
        out[o++] = static_cast<std::uint8_t>(v >> 16);
        if (rest == 3) out[o++] = static_cast<std::uint8_t>(v >> 8);
    }
    return out;
}

}  // namespace edgebench
