#pragma once
/// \file
/// The edge's image preprocessing: decode, grayscale, resize, re-encode, with the cost of each step.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "edgebench/image_info.hpp"
#include "edgebench/preprocess_config.hpp"
#include "edgebench/types.hpp"

namespace edgebench {

/// Sizes and timings of one preprocessing call. Times are wall-clock milliseconds.
struct PreprocessMetrics {
    std::size_t bytes_in = 0;   ///< encoded input size (0 when the input was already decoded)
    std::size_t bytes_out = 0;  ///< encoded output size, what would be forwarded
    int width_in = 0;
    int height_in = 0;
    int width_out = 0;
    int height_out = 0;
    double decode_ms = 0;         ///< decoding the input
    double resize_ms = 0;         ///< grayscale conversion and resizing
    double encode_ms = 0;         ///< re-encoding
    double output_decode_ms = 0;  ///< decoding the re-encoded bytes into the image the detector sees

    double total_ms() const noexcept { return decode_ms + resize_ms + encode_ms + output_decode_ms; }
};

/// What preprocessing produced.
struct PreprocessResult {
    /// The bytes to forward (the input's own bytes when nothing had to change).
    std::vector<std::uint8_t> encoded;
    ImageFormat format = ImageFormat::Unknown;
    /// The image the detector sees, decoded from `encoded` so that compression artefacts count; 8-bit
    /// BGR (a grayscale result has three equal channels). Empty when the caller did not ask for it.
    cv::Mat image;
    PreprocessMetrics metrics;
    /// Output size over input size, per axis; multiply original coordinates by these to get
    /// preprocessed ones.
    double scale_x = 1.0;
    double scale_y = 1.0;

    /// A box in preprocessed-image pixels mapped back to the original image.
    BBox to_original(const BBox& box) const noexcept;
    /// Detections in preprocessed-image pixels mapped back to the original image.
    std::vector<Detection> to_original(std::vector<Detection> detections) const;
};

/// Safety limits for untrusted input.
struct PreprocessLimits {
    /// Largest accepted width x height, checked from the header before decoding (a decompression bomb
    /// is refused without allocating its pixels).
    std::int64_t max_pixels = 100'000'000;
};

/// Applies a `PreprocessConfig` to images. Stateless after construction: one instance may be used
/// from any number of threads at once.
///
/// JPEG goes through libjpeg-turbo directly: decoded at the smallest M/8 of its size that still covers
/// the target (6/8 for 75 %, so no resize), straight into BGR, and encoded from BGR; several times
/// cheaper than decoding at full size and then shrinking.
class Preprocessor {
public:
    explicit Preprocessor(PreprocessConfig config = {}, PreprocessLimits limits = {});

    const PreprocessConfig& config() const noexcept { return config_; }
    const PreprocessLimits& limits() const noexcept { return limits_; }

    /// Preprocesses encoded image bytes (JPEG, PNG or WebP). Throws `Error` for empty, corrupt,
    /// truncated or oversized input. With `want_image` false the output is not decoded again, which
    /// saves time when no detector will look at it.
    PreprocessResult process(std::span<const std::uint8_t> encoded, bool want_image = true) const;
    /// Preprocesses an already decoded 8-bit image (1, 3 or 4 channels).
    PreprocessResult process(const cv::Mat& image, bool want_image = true) const;

    /// The size an image of `width` x `height` has after preprocessing.
    cv::Size output_size(int width, int height) const noexcept;

private:
    PreprocessResult finish(cv::Mat decoded, ImageFormat input_format, PreprocessResult result,
                            bool want_image) const;

    PreprocessConfig config_;
    PreprocessLimits limits_;
};

}  // namespace edgebench
