#include "detectors/bgr_image.hpp"

#include <opencv2/imgproc.hpp>

#include "edgebench/error.hpp"

namespace edgebench::detail {

cv::Mat to_bgr8(const cv::Mat& image) {
    if (image.empty() || image.rows <= 0 || image.cols <= 0) throw Error("empty image", "image");
    if (image.dims != 2) throw Error("expected a 2-D image, got " + std::to_string(image.dims) + " dimensions", "image");
    if (image.depth() != CV_8U) throw Error("expected an 8-bit image", "image");
    switch (image.channels()) {
        case 3:
            return image;
        case 1: {
            cv::Mat bgr;
            cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
            return bgr;
        }
        case 4: {
            cv::Mat bgr;
            cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
            return bgr;
        }
        default:
            throw Error("expected 1, 3 or 4 channels, got " + std::to_string(image.channels()), "image");
    }
}

}  // namespace edgebench::detail
