#include "edgebench/image_info.hpp"

#include <cstring>

namespace edgebench {
namespace {

std::uint32_t be16(const std::uint8_t* p) { return (std::uint32_t{p[0]} << 8) | p[1]; }
std::uint32_t be32(const std::uint8_t* p) { return (be16(p) << 16) | be16(p + 2); }
std::uint32_t le16(const std::uint8_t* p) { return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8); }
std::uint32_t le24(const std::uint8_t* p) { return le16(p) | (std::uint32_t{p[2]} << 16); }
std::uint32_t le32(const std::uint8_t* p) { return le16(p) | (le16(p + 2) << 16); }

bool is_sof(std::uint8_t marker) {
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

bool is_standalone(std::uint8_t marker) {
    return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7);  // TEM, RSTn
}

ImageInfo probe_jpeg(std::span<const std::uint8_t> b) {
    ImageInfo info;
    info.format = ImageFormat::Jpeg;
    std::size_t pos = 2;
    const std::size_t n = b.size();
    bool frame_seen = false;
    while (pos + 1 < n) {
        if (b[pos] != 0xFF) return info;  // lost sync: damaged header
        std::uint8_t marker = b[pos + 1];
        if (marker == 0xFF) {  // fill byte
            ++pos;
            continue;
        }
        pos += 2;
        if (marker == 0xD9) {  // EOI
            info.complete = info.width > 0;
            return info;
        }
        if (is_standalone(marker)) continue;
        if (pos + 2 > n) return info;
        const std::size_t length = be16(&b[pos]);
        if (length < 2 || pos + length > n) return info;
        if (is_sof(marker) && length >= 8) {
            // One frame per image. Decoders use the first frame header and the pixel limit is checked on
            // what this returns, so a second one (a huge frame, then a 1x1 one) must not win: a damaged
            // header. Found by fuzzing (tests/fuzz/fuzz_image.cpp).
            if (frame_seen) return ImageInfo{.format = ImageFormat::Jpeg};
            frame_seen = true;
            info.height = static_cast<int>(be16(&b[pos + 3]));
            info.width = static_cast<int>(be16(&b[pos + 5]));
            info.channels = b[pos + 7];
        }
        pos += length;
        if (marker == 0xDA) {  // SOS: entropy-coded data runs until the next real marker
            while (pos + 1 < n) {
                const void* found = std::memchr(&b[pos], 0xFF, n - pos - 1);
                if (!found) return info;
                pos = static_cast<std::size_t>(static_cast<const std::uint8_t*>(found) - b.data());
                const std::uint8_t next = b[pos + 1];
                if (next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF) {
                    pos += (next == 0xFF) ? 1 : 2;  // stuffed byte, restart marker or fill
                    continue;
                }
                break;  // a marker: the segment loop handles it
            }
        }
    }
    return info;
}

ImageInfo probe_png(std::span<const std::uint8_t> b) {
    ImageInfo info;
    info.format = ImageFormat::Png;
    if (b.size() < 33 || std::memcmp(&b[12], "IHDR", 4) != 0) return info;
    info.width = static_cast<int>(std::min<std::uint32_t>(be32(&b[16]), 0x7FFFFFFF));
    info.height = static_cast<int>(std::min<std::uint32_t>(be32(&b[20]), 0x7FFFFFFF));
    switch (b[25]) {  // colour type
        case 0: info.channels = 1; break;
        case 2: info.channels = 3; break;
        case 3: info.channels = 3; break;
        case 4: info.channels = 2; break;
        case 6: info.channels = 4; break;
        default: info.channels = 0;
    }
    // Walk the chunks to the IEND chunk.
    std::size_t pos = 8;
    while (pos + 12 <= b.size()) {
        const std::size_t length = be32(&b[pos]);
        if (length > b.size() - pos - 12) return info;
        if (std::memcmp(&b[pos + 4], "IEND", 4) == 0) {
            info.complete = true;
            return info;
        }
        pos += 12 + length;
    }
    return info;
}

ImageInfo probe_webp(std::span<const std::uint8_t> b) {
    ImageInfo info;
    info.format = ImageFormat::WebP;
    info.complete = std::size_t{le32(&b[4])} + 8 <= b.size();
    if (b.size() < 30) return info;
    if (std::memcmp(&b[12], "VP8 ", 4) == 0) {
        info.width = static_cast<int>(le16(&b[26]) & 0x3FFF);
        info.height = static_cast<int>(le16(&b[28]) & 0x3FFF);
        info.channels = 3;
    } else if (std::memcmp(&b[12], "VP8L", 4) == 0 && b.size() >= 25) {
        const std::uint32_t bits = le32(&b[21]);
        info.width = static_cast<int>((bits & 0x3FFF) + 1);
        info.height = static_cast<int>(((bits >> 14) & 0x3FFF) + 1);
        info.channels = 4;
    } else if (std::memcmp(&b[12], "VP8X", 4) == 0) {
        info.width = static_cast<int>(le24(&b[24]) + 1);
        info.height = static_cast<int>(le24(&b[27]) + 1);
        info.channels = 4;
    }
    return info;
}

}  // namespace

std::string to_string(ImageFormat format) {
    switch (format) {
        case ImageFormat::Jpeg: return "jpeg";
        case ImageFormat::Png: return "png";
        case ImageFormat::WebP: return "webp";
        case ImageFormat::Unknown: break;
    }
    return "unknown";
}

ImageInfo probe_image(std::span<const std::uint8_t> bytes) noexcept {
    static constexpr std::uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return probe_jpeg(bytes);
    if (bytes.size() >= 8 && std::memcmp(bytes.data(), png_signature, 8) == 0) return probe_png(bytes);
    if (bytes.size() >= 16 && std::memcmp(bytes.data(), "RIFF", 4) == 0 && std::memcmp(&bytes[8], "WEBP", 4) == 0) {
        return probe_webp(bytes);
    }
    return ImageInfo{};
}

}  // namespace edgebench
