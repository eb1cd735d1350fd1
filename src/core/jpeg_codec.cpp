#include "internal/jpeg_codec.hpp"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <memory>
#include <string>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

#include "edgebench/error.hpp"

namespace edgebench::detail {
namespace {

// libjpeg reports fatal errors through a callback that must not return: the documented way out is
// longjmp back to the caller. Everything that changes after setjmp lives on the heap (in the states
// below) and only C frames lie between longjmp and setjmp, so no destructor is skipped.
struct ErrorManager {
    jpeg_error_mgr base;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX] = {};
};

void on_fatal_error(j_common_ptr info) {
    auto* manager = reinterpret_cast<ErrorManager*>(info->err);
    (*info->err->format_message)(info, manager->message);
    std::longjmp(manager->jump, 1);
}

void on_message(j_common_ptr, int) {}  // warnings (slightly corrupt data) are not fatal

struct DecodeState {
    jpeg_decompress_struct info{};
    ErrorManager error;
    cv::Mat image;
};

// Writes compressed data straight into a growing vector (jpeg_mem_dest would malloc and need a copy).
struct VectorDestination {
    jpeg_destination_mgr base{};
    std::vector<std::uint8_t> bytes;
    std::size_t initial = 0;
};

struct EncodeState {
    jpeg_compress_struct info{};
    ErrorManager error;
    VectorDestination destination;
};

void start_destination(j_compress_ptr info) {
    auto* d = reinterpret_cast<VectorDestination*>(info->dest);
    d->bytes.resize(d->initial);
    d->base.next_output_byte = d->bytes.data();
    d->base.free_in_buffer = d->bytes.size();
}

boolean grow_destination(j_compress_ptr info) {
    auto* d = reinterpret_cast<VectorDestination*>(info->dest);
    const std::size_t used = d->bytes.size();  // libjpeg calls this only when the buffer is full
    d->bytes.resize(used * 2);
    d->base.next_output_byte = d->bytes.data() + used;
    d->base.free_in_buffer = d->bytes.size() - used;
    return TRUE;
}

void finish_destination(j_compress_ptr info) {
    auto* d = reinterpret_cast<VectorDestination*>(info->dest);
    d->bytes.resize(d->bytes.size() - d->base.free_in_buffer);
}

int ceil_div(int value, int divisor) { return (value + divisor - 1) / divisor; }

}  // namespace

int jpeg_scale_eighths(int width, int height, cv::Size target) noexcept {
    for (int m = 1; m < 8; ++m) {
        if (ceil_div(width * m, 8) >= target.width && ceil_div(height * m, 8) >= target.height) return m;
    }
    return 8;
}

cv::Mat decode_jpeg(std::span<const std::uint8_t> bytes, int eighths, bool grayscale) {
    const auto state = std::make_unique<DecodeState>();
    jpeg_decompress_struct& info = state->info;
    info.err = jpeg_std_error(&state->error.base);
    state->error.base.error_exit = on_fatal_error;
    state->error.base.emit_message = on_message;
    if (setjmp(state->error.jump)) {
        jpeg_destroy_decompress(&info);
        throw Error(std::string("corrupt JPEG data (") + state->error.message + ")", "image");
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, const_cast<unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&info, TRUE);
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&info);
        return {};
    }
    info.out_color_space = grayscale ? JCS_GRAYSCALE : JCS_EXT_BGR;
    info.scale_num = static_cast<unsigned>(std::clamp(eighths, 1, 8));
    info.scale_denom = 8;
    jpeg_start_decompress(&info);
    state->image.create(static_cast<int>(info.output_height), static_cast<int>(info.output_width),
                        grayscale ? CV_8UC1 : CV_8UC3);
    JSAMPROW rows[16];
    while (info.output_scanline < info.output_height) {
        const unsigned first = info.output_scanline;
        const unsigned count = std::min(16u, info.output_height - first);
        for (unsigned r = 0; r < count; ++r) rows[r] = state->image.ptr(static_cast<int>(first + r));
        jpeg_read_scanlines(&info, rows, count);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return std::move(state->image);
}

std::vector<std::uint8_t> encode_jpeg(const cv::Mat& image, int quality) {
    if (image.empty() || image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
        throw Error("JPEG encoding needs an 8-bit gray or BGR image", "format");
    }
    const auto state = std::make_unique<EncodeState>();
    jpeg_compress_struct& info = state->info;
    info.err = jpeg_std_error(&state->error.base);
    state->error.base.error_exit = on_fatal_error;
    state->error.base.emit_message = on_message;
    if (setjmp(state->error.jump)) {
        jpeg_destroy_compress(&info);
        throw Error(std::string("JPEG encoding failed (") + state->error.message + ")", "format");
    }
    jpeg_create_compress(&info);
    auto& destination = state->destination;
    destination.base.init_destination = start_destination;
    destination.base.empty_output_buffer = grow_destination;
    destination.base.term_destination = finish_destination;
    // A guess near the output size of middling qualities, so that the buffer rarely has to grow.
    destination.initial = std::max<std::size_t>(16 * 1024, image.total() * image.elemSize() / 8);
    info.dest = &destination.base;
    info.image_width = static_cast<JDIMENSION>(image.cols);
    info.image_height = static_cast<JDIMENSION>(image.rows);
    info.input_components = image.channels();
    info.in_color_space = image.channels() == 3 ? JCS_EXT_BGR : JCS_GRAYSCALE;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, std::clamp(quality, 1, 100), TRUE);
    jpeg_start_compress(&info, TRUE);
    JSAMPROW rows[16];
    while (info.next_scanline < info.image_height) {
        const unsigned first = info.next_scanline;
        const unsigned count = std::min(16u, info.image_height - first);
        for (unsigned r = 0; r < count; ++r) rows[r] = const_cast<JSAMPROW>(image.ptr(static_cast<int>(first + r)));
        jpeg_write_scanlines(&info, rows, count);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return std::move(destination.bytes);
}

}  // namespace edgebench::detail
