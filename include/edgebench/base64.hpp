#pragma once
/// \file
/// Standard base64 (RFC 4648, with padding), as the original study's JSON wire format carries images.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgebench {

std::string base64_encode(std::span<const std::uint8_t> data);
/// Decodes standard base64. Padding may be omitted; whitespace is not accepted. Throws `Error` (field
/// `field`) naming the first bad character and its position, or a bad length.
std::vector<std::uint8_t> base64_decode(std::string_view text, const std::string& field = "image_b64");

}  // namespace edgebench
