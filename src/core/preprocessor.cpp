#include "edgebench/preprocessor.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "edgebench/error.hpp"
#include "internal/jpeg_codec.hpp"
#include "internal/stopwatch.hpp"

namespace edgebench {
namespace {

// EXIF orientation is ignored everywhere: annotations refer to the stored pixel grid, as in COCO.
constexpr int kDecodeColor = cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION;
constexpr int kDecodeGray = cv::IMREAD_GRAYSCALE | cv::IMREAD_IGNORE_ORIENTATION;

int ceil_div(int value, int divisor) { return (value + divisor - 1) / divisor; }

// The imdecode flags for decoding straight to the smallest size that is still at least `target`.
int decode_flags(ImageFormat format, int width, int height, cv::Size target, bool grayscale) {
    const int base = grayscale ? kDecodeGray : kDecodeColor;
    if (format != ImageFormat::Jpeg) return base;
    for (const int factor : {8, 4, 2}) {
        if (target.width <= ceil_div(width, factor) && target.height <= ceil_div(height, factor)) {
            // The IMREAD_REDUCED_* flags are the colour/gray flag plus 16, 32 or 64.
            return base | (factor * 8);
        }
    }
    return base;
}

std::vector<int> encode_params(ImageFormat format, int quality) {
    switch (format) {
        case ImageFormat::Jpeg: return {cv::IMWRITE_JPEG_QUALITY, quality};
        case ImageFormat::WebP: return {cv::IMWRITE_WEBP_QUALITY, quality};
        case ImageFormat::Png: return {cv::IMWRITE_PNG_COMPRESSION, 1};
        case ImageFormat::Unknown: break;
    }
    return {};
}

const char* extension(ImageFormat format) {
    switch (format) {
        case ImageFormat::Jpeg: return ".jpg";
        case ImageFormat::Png: return ".png";
        case ImageFormat::WebP: return ".webp";
        case ImageFormat::Unknown: break;
    }
    return ".jpg";
}

ImageFormat format_of(ImageEncoding encoding, ImageFormat input_format) {
    switch (encoding) {
        case ImageEncoding::Jpeg: return ImageFormat::Jpeg;
        case ImageEncoding::Png: return ImageFormat::Png;
        case ImageEncoding::WebP: return ImageFormat::WebP;
        case ImageEncoding::Original: break;
    }
    // Decoded input has no format of its own; keep it lossless.
    return input_format == ImageFormat::Unknown ? ImageFormat::Png : input_format;
}

cv::Mat to_bgr(const cv::Mat& image) {
    if (image.channels() == 3) return image;
    cv::Mat bgr;
    cv::cvtColor(image, bgr, image.channels() == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_BGRA2BGR);
    return bgr;
}

}  // namespace

BBox PreprocessResult::to_original(const BBox& box) const noexcept {
    return BBox{box.x / scale_x, box.y / scale_y, box.width / scale_x, box.height / scale_y};
}

std::vector<Detection> PreprocessResult::to_original(std::vector<Detection> detections) const {
    for (auto& detection : detections) detection.bbox = to_original(detection.bbox);
    return detections;
}

Preprocessor::Preprocessor(PreprocessConfig config, PreprocessLimits limits)
    : config_(config), limits_(limits) {
    config_.validate();
    if (limits_.max_pixels <= 0) throw Error("must be positive", "max_pixels");
}

cv::Size Preprocessor::output_size(int width, int height) const noexcept {
    double scale = config_.resize_percent / 100.0;
    if (config_.max_side > 0) {
        scale = std::min(scale, static_cast<double>(config_.max_side) / std::max(width, height));
    }
    if (scale == 1.0) return {width, height};
    const int out_width = std::max(1, static_cast<int>(std::lround(width * scale)));
    const int out_height = std::max(1, static_cast<int>(std::lround(height * scale)));
    return {out_width, out_height};
}

PreprocessResult Preprocessor::process(std::span<const std::uint8_t> encoded, bool want_image) const {
    if (encoded.empty()) throw Error("empty image data", "image");
    const ImageInfo info = probe_image(encoded);
    if (info.format == ImageFormat::Unknown) throw Error("not a JPEG, PNG or WebP image", "image");
    if (info.width <= 0 || info.height <= 0) throw Error("damaged " + to_string(info.format) + " header", "image");
    if (!info.complete) throw Error("truncated " + to_string(info.format) + " data (no end marker)", "image");
    if (static_cast<std::int64_t>(info.width) * info.height > limits_.max_pixels) {
        throw Error("image of " + std::to_string(info.width) + "x" + std::to_string(info.height) +
                        " pixels exceeds the limit of " + std::to_string(limits_.max_pixels) + " pixels",
                    "image");
    }

    PreprocessResult result;
    result.metrics.bytes_in = encoded.size();
    result.metrics.width_in = info.width;
    result.metrics.height_in = info.height;
    const cv::Mat input(1, static_cast<int>(encoded.size()), CV_8UC1, const_cast<std::uint8_t*>(encoded.data()));

    detail::Stopwatch clock;
    if (!config_.changes_pixels() && config_.encoding == ImageEncoding::Original) {
        // Identity: forward the received bytes, decode only if a detector needs the pixels.
        result.encoded.assign(encoded.begin(), encoded.end());
        result.format = info.format;
        result.metrics.bytes_out = encoded.size();
        result.metrics.width_out = info.width;
        result.metrics.height_out = info.height;
        if (want_image) {
            if (info.format == ImageFormat::Jpeg) result.image = detail::decode_jpeg(encoded);
            if (result.image.empty()) result.image = cv::imdecode(input, kDecodeColor);
            if (result.image.empty()) throw Error("corrupt " + to_string(info.format) + " data", "image");
            result.metrics.decode_ms = clock.lap();
        }
        return result;
    }

    const cv::Size target = output_size(info.width, info.height);
    cv::Mat decoded;
    if (info.format == ImageFormat::Jpeg) {
        // libjpeg-turbo decodes at any M/8 of the size: 75 % is a 6/8 decode that needs no resize at all
        // (or a one-pixel one where libjpeg's rounding up differs from ours).
        decoded = detail::decode_jpeg(encoded, detail::jpeg_scale_eighths(info.width, info.height, target), config_.grayscale);
    }
    if (decoded.empty()) {
        decoded = cv::imdecode(input, decode_flags(info.format, info.width, info.height, target, config_.grayscale));
    }
    if (decoded.empty()) throw Error("corrupt " + to_string(info.format) + " data", "image");
    result.metrics.decode_ms = clock.lap();
    return finish(std::move(decoded), info.format, std::move(result), want_image);
}

PreprocessResult Preprocessor::process(const cv::Mat& image, bool want_image) const {
    if (image.empty()) throw Error("empty image", "image");
    if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)) {
        throw Error("expected an 8-bit image with 1, 3 or 4 channels", "image");
    }
    if (static_cast<std::int64_t>(image.cols) * image.rows > limits_.max_pixels) {
        throw Error("image exceeds the limit of " + std::to_string(limits_.max_pixels) + " pixels", "image");
    }
    PreprocessResult result;
    result.metrics.width_in = image.cols;
    result.metrics.height_in = image.rows;
    return finish(image, ImageFormat::Unknown, std::move(result), want_image);
}

PreprocessResult Preprocessor::finish(cv::Mat decoded, ImageFormat input_format, PreprocessResult result,
                                      bool want_image) const {
    detail::Stopwatch clock;
    const int width_in = result.metrics.width_in;
    const int height_in = result.metrics.height_in;
    const cv::Size target = output_size(width_in, height_in);

    if (decoded.channels() == 4) cv::cvtColor(decoded, decoded, cv::COLOR_BGRA2BGR);
    if (config_.grayscale && decoded.channels() == 3) cv::cvtColor(decoded, decoded, cv::COLOR_BGR2GRAY);
    if (decoded.size() != target) {
        // Bilinear is 5-10x cheaper than area averaging and alias-free enough down to half size; below
        // that (only PNG/WebP input: JPEG was already shrunk by scaled decoding) area averaging it is.
        const bool strong_shrink = target.width * 2 < decoded.cols || target.height * 2 < decoded.rows;
        cv::Mat resized;
        cv::resize(decoded, resized, target, 0, 0, strong_shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
        decoded = std::move(resized);
    }
    result.metrics.resize_ms = clock.lap();

    result.format = format_of(config_.encoding, input_format);
    if (result.format == ImageFormat::Jpeg) {
        result.encoded = detail::encode_jpeg(decoded, config_.quality);
    } else if (!cv::imencode(extension(result.format), decoded, result.encoded,
                             encode_params(result.format, config_.quality))) {
        throw Error("encoding as " + to_string(result.format) + " failed", "format");
    }
    result.metrics.encode_ms = clock.lap();

    result.metrics.bytes_out = result.encoded.size();
    result.metrics.width_out = target.width;
    result.metrics.height_out = target.height;
    result.scale_x = static_cast<double>(target.width) / width_in;
    result.scale_y = static_cast<double>(target.height) / height_in;

    if (want_image) {
        if (result.format == ImageFormat::Png) {
            result.image = to_bgr(decoded);  // lossless: the pixels are what a decoder would return
        } else {
            if (result.format == ImageFormat::Jpeg) result.image = detail::decode_jpeg(result.encoded);
            if (result.image.empty()) result.image = cv::imdecode(result.encoded, kDecodeColor);
            if (result.image.empty()) throw Error("could not decode the re-encoded image", "format");
        }
        result.metrics.output_decode_ms = clock.lap();
    }
    return result;
}

}  // namespace edgebench
