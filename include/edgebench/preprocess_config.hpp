#pragma once
/// \file
/// The settings of the edge's image preprocessing: grayscale, resize and re-encoding.

#include <string>
#include <string_view>

namespace edgebench {

/// How the preprocessed image is encoded for forwarding.
enum class ImageEncoding {
    /// Keep the input's own format: the received bytes pass through untouched when no pixel changes,
    /// otherwise the image is re-encoded in the input's format (JPEG at `quality`).
    Original,
    Jpeg,
    Png,
    WebP,
};

/// Lower-case name: "original", "jpeg", "png", "webp".
std::string to_string(ImageEncoding encoding);

/// What the edge does to an image before detecting on it and forwarding it.
///
/// Text forms accepted by `parse()`:
///  - structured: `grayscale=0,resize=75,quality=50` with keys `grayscale` (0/1), `resize` (percent of
///    each side), `max_side` (pixels, 0 = no limit), `format` (original, jpeg, png, webp) and `quality`
///    (1..100, for JPEG and WebP); a `quality` without a `format` means JPEG;
///  - the original study's key,value list: `BW,0,quality,50%,resize,75%` (keys case-insensitive,
///    values with or without `%`); the study always re-encoded as JPEG.
/// The empty string is the default: the identity, which forwards the received bytes.
struct PreprocessConfig {
    bool grayscale = false;
    /// Percent of each side, in (0, 400].
    double resize_percent = 100.0;
    /// Longest side in pixels after resizing; 0 means no limit. Applied together with `resize_percent`
    /// (the smaller scale wins).
    int max_side = 0;
    ImageEncoding encoding = ImageEncoding::Original;
    /// JPEG/WebP quality, 1..100.
    int quality = 95;

    /// Parses either text form; throws `Error` naming the setting that is unknown or out of range.
    static PreprocessConfig parse(std::string_view text);
    /// Canonical structured text, e.g. `grayscale=0,resize=75,format=jpeg,quality=50`; `parse` of it
    /// gives back an equal config.
    std::string to_string() const;
    /// Throws `Error` naming the first invalid setting.
    void validate() const;
    /// Whether any pixel can change: grayscale, a scale other than 1, or a size limit.
    bool changes_pixels() const noexcept;

    friend bool operator==(const PreprocessConfig&, const PreprocessConfig&) = default;
};

}  // namespace edgebench
