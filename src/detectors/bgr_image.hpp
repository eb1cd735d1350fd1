#pragma once
// Every detector accepts what `Detector::detect()` promises to accept; this turns it into 8-bit BGR.

#include <opencv2/core/mat.hpp>

namespace edgebench::detail {

/// `image` as 8-bit, 3-channel BGR: gray and BGRA are converted, BGR is returned as is (no copy).
/// Throws `Error` (field "image") for an empty image or one that is not 8-bit with 1, 3 or 4 channels.
cv::Mat to_bgr8(const cv::Mat& image);

}  // namespace edgebench::detail
