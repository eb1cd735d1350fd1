#include "blob_detector.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "edgebench/error.hpp"
#include "edgebench/synthetic_dataset.hpp"

namespace edgebench::test {
namespace {

// The synthetic dataset's class ids.
enum Shape : int { kDisk = 1, kSquare, kTriangle, kRing, kCross };

struct Candidate {
    int shape = 0;
    double confidence = 0;
};

double mean_in(const cv::Mat& gray, const cv::Mat& mask) {
    return cv::countNonZero(mask) > 0 ? cv::mean(gray, mask)[0] : -1000.0;
}

// Names a blob from its outline: a triangle has three corners, a square four; a cross is far from
// convex; round blobs are disks, or rings when their middle looks like the outside rather than like the
// blob's own rim.
Candidate classify(const std::vector<cv::Point>& contour, const cv::Mat& gray, const cv::Mat& filled, const cv::Rect& box) {
    const double area = cv::contourArea(contour);
    const double perimeter = cv::arcLength(contour, true);
    std::vector<cv::Point> hull;
    cv::convexHull(contour, hull);
    const double solidity = area / std::max(1.0, cv::contourArea(hull));
    const double circularity = 4 * std::numbers::pi * area / std::max(1.0, perimeter * perimeter);
    std::vector<cv::Point> corners;
    cv::approxPolyDP(hull, corners, 0.06 * perimeter, true);

    if (solidity < 0.72) return {kCross, 0.55 + 0.4 * (0.72 - solidity) / 0.72};
    if (corners.size() == 3) return {kTriangle, 0.6 + 0.35 * solidity};
    if (corners.size() == 4 && circularity < 0.84) return {kSquare, 0.6 + 0.35 * solidity};

    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3));
    cv::Mat inner2, inner4, outer2, outer4;
    cv::erode(filled, inner2, kernel, {-1, -1}, 2);
    cv::erode(filled, inner4, kernel, {-1, -1}, 4);
    cv::dilate(filled, outer2, kernel, {-1, -1}, 2);
    cv::dilate(filled, outer4, kernel, {-1, -1}, 4);
    const double rim = mean_in(gray, inner2 - inner4);
    const double outside = mean_in(gray, outer4 - outer2);
    cv::Mat middle = cv::Mat::zeros(gray.size(), CV_8UC1);
    const cv::Rect centre(box.x + box.width * 2 / 5, box.y + box.height * 2 / 5, std::max(1, box.width / 5),
                          std::max(1, box.height / 5));
    middle(centre & cv::Rect(0, 0, gray.cols, gray.rows)).setTo(255);
    const double inside = mean_in(gray, middle);
    if (std::fabs(inside - outside) < std::fabs(inside - rim)) return {kRing, 0.5 + 0.45 * circularity};
    return {kDisk, 0.5 + 0.45 * circularity};
}

}  // namespace

ShapeBlobDetector::ShapeBlobDetector(DetectorOptions options) : options_(std::move(options)) { options_.validate(); }

DetectionResult ShapeBlobDetector::detect(const cv::Mat& image) {
    if (image.empty()) throw Error("empty image", "image");
    DetectionResult result;
    const auto t0 = std::chrono::steady_clock::now();
    cv::Mat gray;
    if (image.channels() == 3) cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
    else gray = image;
    cv::GaussianBlur(gray, gray, cv::Size(3, 3), 0.8);
    const auto t1 = std::chrono::steady_clock::now();

    // Objects differ from their surroundings by a luminance step; the background varies smoothly.
    cv::Mat edges;
    cv::Canny(gray, edges, 40, 110);
    cv::morphologyEx(edges, edges, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3)));
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(edges, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    const auto t2 = std::chrono::steady_clock::now();

    for (std::size_t i = 0; i < contours.size(); ++i) {
        const cv::Rect box = cv::boundingRect(contours[i]);
        // Thin lines (the dataset's distractors) and specks are not objects.
        if (cv::contourArea(contours[i]) < 50) continue;
        const cv::RotatedRect fitted = cv::minAreaRect(contours[i]);
        if (std::min(fitted.size.width, fitted.size.height) < 9) continue;
        cv::Mat filled = cv::Mat::zeros(gray.size(), CV_8UC1);
        cv::drawContours(filled, contours, static_cast<int>(i), cv::Scalar(255), cv::FILLED);
        const Candidate candidate = classify(contours[i], gray, filled, box);
        if (candidate.confidence < options_.score_threshold) continue;
        result.detections.push_back({candidate.shape,
                                     BBox{static_cast<double>(box.x), static_cast<double>(box.y),
                                          static_cast<double>(box.width), static_cast<double>(box.height)},
                                     std::min(0.99, candidate.confidence)});
    }
    std::stable_sort(result.detections.begin(), result.detections.end(),
                     [](const Detection& a, const Detection& b) { return a.score > b.score; });
    if (static_cast<int>(result.detections.size()) > options_.max_detections) {
        result.detections.resize(static_cast<std::size_t>(options_.max_detections));
    }
    const auto t3 = std::chrono::steady_clock::now();
    using ms = std::chrono::duration<double, std::milli>;
    result.timings = {ms(t1 - t0).count(), ms(t2 - t1).count(), ms(t3 - t2).count()};
    return result;
}

std::unique_ptr<Detector> ShapeBlobDetector::clone() const { return std::make_unique<ShapeBlobDetector>(options_); }

const CategoryTable& ShapeBlobDetector::categories() const { return synthetic_categories(); }

DetectorInfo ShapeBlobDetector::info() const { return {"blobs", "blobs", "shapes", "", 0, 0, options_.device}; }

DetectorRegistry registry_with_blob_detector() {
    DetectorRegistry registry = DetectorRegistry::with_builtin_backends();
    registry.add({"blobs", "blobs", "edge contours named by their geometry (synthetic shapes; tests only)",
                  [](const DetectorSpec&, const DetectorOptions& options) { return std::make_unique<ShapeBlobDetector>(options); }});
    return registry;
}

}  // namespace edgebench::test
