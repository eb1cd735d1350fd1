// The `none` backend: an edge that only preprocesses and forwards.

#include "detectors/backends.hpp"
#include "edgebench/error.hpp"

namespace edgebench::detail {
namespace {

class NoneDetector final : public Detector {
public:
    explicit NoneDetector(DetectorOptions options) : options_(std::move(options)) {}

    DetectionResult detect(const cv::Mat& image) override {
        if (image.empty()) throw Error("empty image", "image");
        return {};
    }
    std::unique_ptr<Detector> clone() const override { return std::make_unique<NoneDetector>(options_); }
    bool thread_safe() const noexcept override { return true; }
    const CategoryTable& categories() const override { return categories_; }
    DetectorInfo info() const override { return {"none", "none", "none", "", 0, 0, options_.device}; }
    const DetectorOptions& options() const override { return options_; }

private:
    DetectorOptions options_;
    CategoryTable categories_;
};

}  // namespace

DetectorRegistry::Backend none_backend() {
    return {"none", "none", "detects nothing: the edge only preprocesses and forwards",
            [](const DetectorSpec& spec, const DetectorOptions& options) -> std::unique_ptr<Detector> {
                if (!spec.rest.empty()) throw Error("'none' takes no arguments, got '" + spec.text + "'", "model");
                return std::make_unique<NoneDetector>(options);
            }};
}

}  // namespace edgebench::detail
