#pragma once
/// \file
/// What an encoded image is, read from its header without decoding it.

#include <cstdint>
#include <span>
#include <string>

namespace edgebench {

enum class ImageFormat { Unknown, Jpeg, Png, WebP };

/// Lower-case name: "jpeg", "png", "webp" or "unknown".
std::string to_string(ImageFormat format);

/// Format and dimensions of an encoded image, from its header alone.
struct ImageInfo {
    ImageFormat format = ImageFormat::Unknown;
    int width = 0;
    int height = 0;
    int channels = 0;
    /// Whether the data reaches the format's end marker (JPEG EOI, PNG IEND, the RIFF size for WebP).
    /// Decoders often return a grey-padded picture for truncated data; this is how we refuse it.
    bool complete = false;
};

/// Reads the header of encoded image bytes. Never throws; an unrecognised or damaged header yields
/// `format == ImageFormat::Unknown` or zero dimensions. Cheap: it does not decode pixels, which is what
/// lets servers refuse a decompression bomb before decoding it.
ImageInfo probe_image(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace edgebench
