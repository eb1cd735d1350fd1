#include <algorithm>

#include "edgebench/types.hpp"

namespace edgebench {

double BBox::iou(const BBox& other) const noexcept {
    const double inter_w = std::min(right(), other.right()) - std::max(x, other.x);
    const double inter_h = std::min(bottom(), other.bottom()) - std::max(y, other.y);
    if (inter_w <= 0 || inter_h <= 0) return 0.0;
    const double inter = inter_w * inter_h;
    const double uni = area() + other.area() - inter;
    return uni > 0 ? inter / uni : 0.0;
}

BBox BBox::clipped(double image_width, double image_height) const noexcept {
    const double x1 = std::clamp(x, 0.0, image_width);
    const double y1 = std::clamp(y, 0.0, image_height);
    const double x2 = std::clamp(right(), x1, image_width);
    const double y2 = std::clamp(bottom(), y1, image_height);
    return from_corners(x1, y1, x2, y2);
}

}  // namespace edgebench
