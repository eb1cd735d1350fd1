#include "edgebench/synthetic_dataset.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "edgebench/error.hpp"
#include "internal/file_io.hpp"
#include "internal/random.hpp"

namespace edgebench {
namespace {

enum Shape : int { kDisk = 1, kSquare, kTriangle, kRing, kCross };

struct ShapePlacement {
    Shape shape;
    cv::Point2d centre;
    double size;   // side of the square that holds the unrotated shape
    double angle;  // radians
};

// Draws one shape; `thickness_scale` lets the same geometry go to the colour image and to the mask.
void draw_shape(cv::Mat& canvas, const ShapePlacement& p, const cv::Scalar& colour, int line_type) {
    const double half = p.size / 2.0;
    auto rotated = [&](double dx, double dy) {
        const double c = std::cos(p.angle);
        const double s = std::sin(p.angle);
        return cv::Point(static_cast<int>(std::lround(p.centre.x + dx * c - dy * s)),
                         static_cast<int>(std::lround(p.centre.y + dx * s + dy * c)));
    };
    const cv::Point centre(static_cast<int>(std::lround(p.centre.x)), static_cast<int>(std::lround(p.centre.y)));
    switch (p.shape) {
        case kDisk:
            cv::circle(canvas, centre, static_cast<int>(std::lround(half)), colour, cv::FILLED, line_type);
            break;
        case kRing: {
            const int thickness = std::max(2, static_cast<int>(std::lround(p.size / 5.0)));
            const int radius = static_cast<int>(std::lround(half - thickness / 2.0));
            cv::circle(canvas, centre, std::max(1, radius), colour, thickness, line_type);
            break;
        }
        case kSquare: {
            const std::array<cv::Point, 4> corners = {rotated(-half, -half), rotated(half, -half),
                                                      rotated(half, half), rotated(-half, half)};
            cv::fillConvexPoly(canvas, corners.data(), 4, colour, line_type);
            break;
        }
        case kTriangle: {
            std::array<cv::Point, 3> corners;
            for (int k = 0; k < 3; ++k) {
                const double a = -std::numbers::pi / 2 + k * 2 * std::numbers::pi / 3;
                corners[k] = rotated(half * std::cos(a), half * std::sin(a) + half * 0.25);
            }
            cv::fillConvexPoly(canvas, corners.data(), 3, colour, line_type);
            break;
        }
        case kCross: {
            const double arm = p.size / 6.0;
            const std::array<cv::Point, 4> horizontal = {rotated(-half, -arm), rotated(half, -arm), rotated(half, arm),
                                                         rotated(-half, arm)};
            const std::array<cv::Point, 4> vertical = {rotated(-arm, -half), rotated(arm, -half), rotated(arm, half),
                                                       rotated(-arm, half)};
            cv::fillConvexPoly(canvas, horizontal.data(), 4, colour, line_type);
            cv::fillConvexPoly(canvas, vertical.data(), 4, colour, line_type);
            break;
        }
    }
}

cv::Mat make_background(detail::SplitMix64& rng, cv::RNG& noise, int width, int height) {
    // Smooth colour blobs from a coarse random grid, plus a faint stripe texture.
    cv::Mat coarse(4 + static_cast<int>(rng.below(4)), 5 + static_cast<int>(rng.below(4)), CV_32FC3);
    for (int r = 0; r < coarse.rows; ++r) {
        for (int c = 0; c < coarse.cols; ++c) {
            coarse.at<cv::Vec3f>(r, c) = cv::Vec3f(static_cast<float>(rng.uniform(30, 225)),
                                                   static_cast<float>(rng.uniform(30, 225)),
                                                   static_cast<float>(rng.uniform(30, 225)));
        }
    }
    cv::Mat background;
    cv::resize(coarse, background, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
    const double period = rng.uniform(6, 30);
    const double direction = rng.uniform(0, std::numbers::pi);
    const double amplitude = rng.uniform(0, 18);
    for (int y = 0; y < height; ++y) {
        auto* row = background.ptr<cv::Vec3f>(y);
        for (int x = 0; x < width; ++x) {
            const double t = (x * std::cos(direction) + y * std::sin(direction)) * 2 * std::numbers::pi / period;
            row[x] += cv::Vec3f::all(static_cast<float>(amplitude * std::sin(t)));
        }
    }
    cv::Mat gaussian(height, width, CV_32FC3);
    noise.fill(gaussian, cv::RNG::NORMAL, 0.0, 4.0);
    background += gaussian;
    cv::Mat result;
    background.convertTo(result, CV_8UC3);
    return result;
}

double luminance(const cv::Scalar& bgr) { return 0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2]; }

// How an object stands out from the background around it. Strong objects differ by at least 55 grey
// levels and survive any compression. Faint ones differ by 12 to 28 grey levels, chroma-only ones by at
// most 6 grey levels and by their colour alone. JPEG keeps colour at half resolution and at low quality
// spends almost no bits on it (and on fine luminance detail), and grayscale drops colour entirely: these
// are the objects that compression takes away, so the dataset shows the trade-off it exists to measure.
enum class Contrast { Strong, Faint, ChromaOnly };

Contrast pick_contrast(detail::SplitMix64& rng) {
    const double pick = rng.uniform();
    if (pick < 0.45) return Contrast::Strong;
    return pick < 0.7 ? Contrast::Faint : Contrast::ChromaOnly;
}

// The distance between two colours once their luminance is taken out of every channel.
double chroma_distance(const cv::Scalar& a, const cv::Scalar& b) {
    const double la = luminance(a);
    const double lb = luminance(b);
    double sum = 0;
    for (int c = 0; c < 3; ++c) sum += ((a[c] - la) - (b[c] - lb)) * ((a[c] - la) - (b[c] - lb));
    return std::sqrt(sum);
}

cv::Scalar random_colour(detail::SplitMix64& rng) {
    return cv::Scalar(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
}

cv::Scalar strong_colour(detail::SplitMix64& rng, const cv::Scalar& background) {
    cv::Scalar colour;
    for (int tries = 0; tries < 20; ++tries) {
        colour = random_colour(rng);
        if (std::fabs(luminance(colour) - luminance(background)) >= 55) break;
    }
    return colour;
}

cv::Scalar pick_colour(detail::SplitMix64& rng, const cv::Scalar& background, Contrast contrast) {
    if (contrast == Contrast::Strong) return strong_colour(rng, background);
    for (int tries = 0; tries < 40; ++tries) {
        const double step = contrast == Contrast::Faint ? rng.uniform(12, 28) : rng.uniform(0, 6);
        const double target = luminance(background) + (rng.uniform() < 0.5 ? -step : step);
        // Adding the same amount to every channel moves the luminance by that amount (the weights sum to
        // one) and leaves the chroma as it was.
        cv::Scalar colour = random_colour(rng);
        const double shift = target - luminance(colour);
        bool in_range = true;
        for (int c = 0; c < 3; ++c) {
            colour[c] += shift;
            in_range = in_range && colour[c] >= 0 && colour[c] <= 255;
        }
        const double needed_chroma = contrast == Contrast::Faint ? 0 : 60;
        if (in_range && chroma_distance(colour, background) >= needed_chroma) return colour;
    }
    return strong_colour(rng, background);  // a background too dark, bright or grey for the request
}

}  // namespace

void SyntheticDatasetOptions::validate() const {
    if (width < 64 || width > 8192) throw Error("must be between 64 and 8192 pixels", "width");
    if (height < 64 || height > 8192) throw Error("must be between 64 and 8192 pixels", "height");
    if (min_objects < 0) throw Error("must not be negative", "min_objects");
    if (max_objects < min_objects) throw Error("must be at least min_objects", "max_objects");
    if (max_objects > 100) throw Error("must be at most 100", "max_objects");
    if (jpeg_quality < 1 || jpeg_quality > 100) throw Error("must be between 1 and 100", "jpeg_quality");
    if (first_image_id < 0) throw Error("must not be negative", "first_image_id");
}

const CategoryTable& synthetic_categories() {
    static const CategoryTable table(std::vector<Category>{{kDisk, "disk", "shape"},
                                                           {kSquare, "square", "shape"},
                                                           {kTriangle, "triangle", "shape"},
                                                           {kRing, "ring", "shape"},
                                                           {kCross, "cross", "shape"}});
    return table;
}

SyntheticImage render_synthetic_image(const SyntheticDatasetOptions& options, std::size_t index) {
    options.validate();
    detail::SplitMix64 rng(options.seed * 0x9E3779B97F4A7C15ULL + index * 0xD1B54A32D192ED03ULL + 1);
    cv::RNG noise(rng.next());
    const int width = options.width;
    const int height = options.height;
    const Id image_id = options.first_image_id + static_cast<Id>(index);

    SyntheticImage result;
    result.image = make_background(rng, noise, width, height);

    // Distractors: thin lines that are not objects, so a detector must learn shapes, not edges.
    const int distractors = static_cast<int>(rng.below(4));
    for (int k = 0; k < distractors; ++k) {
        const cv::Point a(static_cast<int>(rng.below(width)), static_cast<int>(rng.below(height)));
        const cv::Point b(static_cast<int>(rng.below(width)), static_cast<int>(rng.below(height)));
        const cv::Scalar colour(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
        cv::line(result.image, a, b, colour, 1 + static_cast<int>(rng.below(2)), cv::LINE_AA);
    }

    const double short_side = std::min(width, height);
    const int wanted = static_cast<int>(rng.between(options.min_objects, options.max_objects));
    std::vector<cv::Rect> occupied;
    cv::Mat mask(height, width, CV_8UC1);
    for (int k = 0; k < wanted; ++k) {
        // COCO's area ranges: small (< 32^2), medium, large (> 96^2).
        const double pick = rng.uniform();
        double size;
        if (pick < 0.45) {
            size = rng.uniform(10, 28);
        } else if (pick < 0.85) {
            size = rng.uniform(38, std::min(90.0, short_side * 0.5));
        } else {
            const double low = std::min(110.0, short_side * 0.5);
            size = rng.uniform(low, std::max(low + 1, short_side * 0.65));
        }
        ShapePlacement placement{static_cast<Shape>(rng.between(kDisk, kCross)), {}, size, 0.0};
        if (placement.shape == kSquare || placement.shape == kCross) placement.angle = rng.uniform(-0.35, 0.35);
        if (placement.shape == kTriangle) placement.angle = rng.uniform(-0.5, 0.5);

        bool placed = false;
        for (int attempt = 0; attempt < 40 && !placed; ++attempt) {
            // Half the diagonal, so that a rotated shape stays inside the image.
            const double margin = size * 0.72;
            if (width - 2 * margin <= 0 || height - 2 * margin <= 0) break;
            placement.centre = {rng.uniform(margin, width - margin), rng.uniform(margin, height - margin)};
            mask.setTo(0);
            draw_shape(mask, placement, cv::Scalar(255), cv::LINE_8);
            const cv::Rect box = cv::boundingRect(mask);
            if (box.area() == 0) break;
            const cv::Rect padded(box.x - 3, box.y - 3, box.width + 6, box.height + 6);
            placed = std::none_of(occupied.begin(), occupied.end(),
                                  [&](const cv::Rect& other) { return (padded & other).area() > 0; });
            if (!placed) continue;

            const cv::Scalar colour = pick_colour(rng, cv::mean(result.image(box)), pick_contrast(rng));
            draw_shape(result.image, placement, colour, cv::LINE_AA);
            occupied.push_back(box);

            Annotation annotation;
            annotation.id = image_id * 100 + static_cast<Id>(result.annotations.size());
            annotation.image_id = image_id;
            annotation.category_id = placement.shape;
            annotation.bbox = BBox{static_cast<double>(box.x), static_cast<double>(box.y),
                                   static_cast<double>(box.width), static_cast<double>(box.height)};
            annotation.area = cv::countNonZero(mask(box));
            result.annotations.push_back(annotation);
        }
    }

    cv::GaussianBlur(result.image, result.image, cv::Size(3, 3), 0.6);
    cv::Mat grain(height, width, CV_16SC3);
    noise.fill(grain, cv::RNG::NORMAL, 0.0, 3.0);
    cv::Mat noisy;
    cv::add(result.image, grain, noisy, cv::noArray(), CV_8UC3);
    result.image = noisy;
    return result;
}

CocoDataset generate_synthetic_dataset(const SyntheticDatasetOptions& options, const std::filesystem::path& out_dir) {
    options.validate();
    const auto image_dir = out_dir / "images";
    std::error_code ec;
    std::filesystem::create_directories(image_dir, ec);
    if (ec) throw Error("cannot create directory: " + ec.message(), {}, image_dir.string());

    std::vector<ImageSample> samples;
    samples.reserve(options.image_count);
    const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality};
    for (std::size_t i = 0; i < options.image_count; ++i) {
        SyntheticImage rendered = render_synthetic_image(options, i);
        ImageSample sample;
        sample.id = options.first_image_id + static_cast<Id>(i);
        char name[32];
        std::snprintf(name, sizeof name, "%06lld.jpg", static_cast<long long>(sample.id));
        sample.file_name = name;
        sample.path = image_dir / name;
        sample.width = options.width;
        sample.height = options.height;
        sample.annotations = std::move(rendered.annotations);
        std::vector<std::uint8_t> jpeg;
        if (!cv::imencode(".jpg", rendered.image, jpeg, params)) throw Error("JPEG encoding failed", {}, name);
        detail::write_file_atomically(sample.path, std::string_view(reinterpret_cast<const char*>(jpeg.data()), jpeg.size()));
        samples.push_back(std::move(sample));
    }
    CocoDataset dataset(synthetic_categories(), std::move(samples), image_dir);
    dataset.set_info_json(R"({"description":"edgebench synthetic shapes","seed":)" + std::to_string(options.seed) +
                          R"(,"version":"2"})");
    dataset.save(out_dir / "instances.json");
    return CocoDataset::load(out_dir / "instances.json", image_dir);
}

}  // namespace edgebench
