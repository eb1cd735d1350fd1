#pragma once
// Turning an image into a network's NCHW float input (letterboxed or stretched, normalised), and the
// geometry that maps boxes in the network's input pixels back to the image.

#include <array>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace edgebench::detail {

/// How one model family wants its input.
struct InputRecipe {
    cv::Size size;                  ///< network input width x height
    bool letterbox = true;          ///< keep the aspect ratio and centre on a padded canvas; else stretch
    double pad_value = 0;           ///< padding pixel value, before normalisation
    int interpolation = 0;          ///< cv::InterpolationFlags for the resize
    bool rgb = false;               ///< feed R,G,B planes instead of OpenCV's B,G,R
    std::array<float, 3> mean{};    ///< per network channel, in pixel units
    std::array<float, 3> scale{1.f, 1.f, 1.f};  ///< per network channel, applied after the mean: 1/std
};

/// Maps network-input pixels to image pixels: x_image = (x_input - offset_x) / scale_x.
struct InputGeometry {
    double scale_x = 1;
    double scale_y = 1;
    double offset_x = 0;
    double offset_y = 0;
    int image_width = 0;
    int image_height = 0;
};

/// Reusable buffers of `prepare_input`, so that steady-state calls allocate nothing.
struct InputScratch {
    cv::Mat resized;
    std::vector<cv::Mat> channels;
};

/// The geometry `prepare_input` uses for an image of `image_size` (also for tests and benchmarks).
InputGeometry input_geometry(cv::Size image_size, const InputRecipe& recipe);

/// Fills `blob` (reallocated to 1x3xHxW float32 when its shape differs) from an 8-bit BGR image.
InputGeometry prepare_input(const cv::Mat& bgr, const InputRecipe& recipe, cv::Mat& blob, InputScratch& scratch);

}  // namespace edgebench::detail
