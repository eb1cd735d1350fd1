// Encoded images as nodes receive them: probe_image (the header check that refuses decompression bombs
// before decoding) and Preprocessor::process (libjpeg-turbo directly for JPEG, OpenCV for PNG and WebP,
// then grayscale, resize and re-encoding). The last input byte picks one of four preprocessing settings;
// the bytes before it are the image (decoders ignore what follows the end marker).
//
// What must hold: process() either fails with `Error` or returns what it promises, and the size the probe
// read from the header is the size the decoder produced, since the pixel limit is enforced on the former.

#include <cstddef>
#include <cstdint>

#include "edgebench/image_info.hpp"
#include "edgebench/preprocessor.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace edgebench;

// Small enough that a header claiming a huge image is refused without decoding it; the check is the
// same whatever the limit.
constexpr std::int64_t kMaxPixels = 1 << 20;

const Preprocessor& preprocessor(std::uint8_t selector) {
    // Built once (function-local statics): a Preprocessor is immutable and thread-safe.
    static const Preprocessor identity(PreprocessConfig{}, PreprocessLimits{kMaxPixels});
    static const Preprocessor study(PreprocessConfig::parse("BW,1,quality,50%,resize,75%"), PreprocessLimits{kMaxPixels});
    static const Preprocessor png(PreprocessConfig::parse("resize=130,format=png"), PreprocessLimits{kMaxPixels});
    static const Preprocessor webp(PreprocessConfig::parse("max_side=40,format=webp,quality=30"),
                                   PreprocessLimits{kMaxPixels});
    switch (selector % 4) {
        case 0: return identity;
        case 1: return study;
        case 2: return png;
        default: return webp;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto bytes = fuzz::bytes_of(data, size - 1);
    const ImageInfo info = probe_image(bytes);
    const Preprocessor& chosen = preprocessor(data[size - 1]);
    const bool identity = !chosen.config().changes_pixels() && chosen.config().encoding == ImageEncoding::Original;

    fuzz::expect_errors_only([&] {
        const PreprocessResult result = chosen.process(bytes, true);
        fuzz::check(info.format != ImageFormat::Unknown && info.complete, "processed an image the probe refused");
        fuzz::check(static_cast<std::int64_t>(info.width) * info.height <= kMaxPixels, "pixel limit not enforced");
        fuzz::check(result.metrics.width_in == info.width && result.metrics.height_in == info.height,
                    "input size differs from the probe");
        fuzz::check(!result.encoded.empty() && result.metrics.bytes_out == result.encoded.size(), "output bytes");
        fuzz::check(!result.image.empty() && result.image.type() == CV_8UC3, "no 8-bit BGR image for the detector");
        fuzz::check(result.image.cols == result.metrics.width_out && result.image.rows == result.metrics.height_out,
                    "the detector's image is not the output size");
        if (identity) {
            // The identity path decodes at full size: the decoder's idea of the size is visible here.
            fuzz::check(result.image.cols == info.width && result.image.rows == info.height,
                        "the decoder's image size differs from the header the probe read");
        }
    });
    return 0;
}
