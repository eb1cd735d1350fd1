#include "detectors/network_input.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace edgebench::detail {

InputGeometry input_geometry(cv::Size image_size, const InputRecipe& recipe) {
    InputGeometry geometry;
    geometry.image_width = image_size.width;
    geometry.image_height = image_size.height;
    if (!recipe.letterbox) {
        geometry.scale_x = static_cast<double>(recipe.size.width) / image_size.width;
        geometry.scale_y = static_cast<double>(recipe.size.height) / image_size.height;
        return geometry;
    }
    const double r = std::min(static_cast<double>(recipe.size.width) / image_size.width,
                              static_cast<double>(recipe.size.height) / image_size.height);
    // A 1-pixel-wide strip still has to become at least one input pixel.
    const int new_w = std::clamp(static_cast<int>(std::lround(image_size.width * r)), 1, recipe.size.width);
    const int new_h = std::clamp(static_cast<int>(std::lround(image_size.height * r)), 1, recipe.size.height);
    // The exact per-axis scale of the resize, so that boxes map back onto the pixels that were seen.
    geometry.scale_x = static_cast<double>(new_w) / image_size.width;
    geometry.scale_y = static_cast<double>(new_h) / image_size.height;
    geometry.offset_x = (recipe.size.width - new_w) / 2;
    geometry.offset_y = (recipe.size.height - new_h) / 2;
    return geometry;
}

InputGeometry prepare_input(const cv::Mat& bgr, const InputRecipe& recipe, cv::Mat& blob, InputScratch& scratch) {
    CV_Assert(bgr.type() == CV_8UC3 && !bgr.empty());
    const InputGeometry geometry = input_geometry(bgr.size(), recipe);
    const cv::Size content(static_cast<int>(std::lround(bgr.cols * geometry.scale_x)),
                           static_cast<int>(std::lround(bgr.rows * geometry.scale_y)));
    const cv::Mat* source = &bgr;
    if (content != bgr.size()) {
        cv::resize(bgr, scratch.resized, content, 0, 0, recipe.interpolation);
        source = &scratch.resized;
    }

    const int width = recipe.size.width;
    const int height = recipe.size.height;
    const int shape[] = {1, 3, height, width};
    if (blob.dims != 4 || blob.type() != CV_32F || blob.size[1] != 3 || blob.size[2] != height || blob.size[3] != width) {
        blob.create(4, shape, CV_32F);
    }
    // OpenCV's vectorised split and convertTo write the picture; only the padding is filled apart.
    cv::split(*source, scratch.channels);
    const cv::Rect picture(static_cast<int>(geometry.offset_x), static_cast<int>(geometry.offset_y), content.width,
                           content.height);
    const cv::Rect pads[] = {
        {0, 0, width, picture.y},                                                       // above
        {0, picture.br().y, width, height - picture.br().y},                            // below
        {0, picture.y, picture.x, picture.height},                                      // left
        {picture.br().x, picture.y, width - picture.br().x, picture.height},            // right
    };
    for (int c = 0; c < 3; ++c) {
        cv::Mat plane(height, width, CV_32F, blob.ptr<float>(0, c));
        const float scale = recipe.scale[c];
        const float shift = -recipe.mean[c] * scale;
        for (const auto& pad : pads) {
            if (!pad.empty()) plane(pad).setTo(cv::Scalar::all(recipe.pad_value * scale + shift));
        }
        cv::Mat target = plane(picture);
        scratch.channels[recipe.rgb ? 2 - c : c].convertTo(target, CV_32F, scale, shift);
    }
    return geometry;
}

}  // namespace edgebench::detail
