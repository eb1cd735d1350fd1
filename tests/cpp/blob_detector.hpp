#pragma once
// A small, deterministic, real detector for the synthetic shapes dataset, so that tests can check the
// scoring path end to end without a model file: it finds objects as closed edge contours with OpenCV
// and names the shape from its geometry (corners, convexity, a hole). It is a classical detector, not
// a stub: it looks at the pixels it is given and nothing else.

#include <memory>

#include "edgebench/detector.hpp"

namespace edgebench::test {

class ShapeBlobDetector final : public Detector {
public:
    explicit ShapeBlobDetector(DetectorOptions options = {});

    DetectionResult detect(const cv::Mat& image) override;
    std::unique_ptr<Detector> clone() const override;
    bool thread_safe() const noexcept override { return true; }  // no state changes in detect()
    const CategoryTable& categories() const override;
    DetectorInfo info() const override;
    const DetectorOptions& options() const override { return options_; }

private:
    DetectorOptions options_;
};

/// A registry with the built-in backends plus `blobs` (this detector).
DetectorRegistry registry_with_blob_detector();

}  // namespace edgebench::test
