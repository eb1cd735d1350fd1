#pragma once
// JPEG straight through libjpeg-turbo, for the edge's hot path. Two things OpenCV's imdecode/imencode
// cannot do: decode at any M/8 of the size (OpenCV offers only 1/2, 1/4, 1/8; 75 % needs 6/8), which
// skips most of the inverse DCT, colour conversion and the resize; and read or write BGR rows directly,
// where OpenCV converts every row from or to RGB in a second pass.

#include <cstdint>
#include <span>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace edgebench::detail {

/// The smallest M in 1..8 for which decoding a `width` x `height` JPEG at M/8 gives at least `target`
/// in both directions (libjpeg rounds the scaled size up); 8 when only the full size does.
int jpeg_scale_eighths(int width, int height, cv::Size target) noexcept;

/// Decodes a JPEG at `eighths`/8 of its size into 8-bit BGR, or 8-bit gray with `grayscale`. Returns an
/// empty Mat for JPEGs this path does not take (CMYK, YCCK), so that the caller can fall back to
/// OpenCV; throws `Error` (field "image") for data libjpeg cannot decode. Warnings about slightly
/// corrupt data are ignored, as OpenCV does.
cv::Mat decode_jpeg(std::span<const std::uint8_t> bytes, int eighths = 8, bool grayscale = false);

/// Encodes an 8-bit BGR or gray image as baseline JPEG at `quality` with libjpeg's defaults (4:2:0,
/// no Huffman optimisation), as OpenCV's imencode does. Throws `Error` (field "format") on failure.
std::vector<std::uint8_t> encode_jpeg(const cv::Mat& image, int quality);

}  // namespace edgebench::detail
