// The `onnx` backend: an ONNX detection model run by OpenCV DNN, with a per-family decoder.
//
// Spec: onnx:FAMILY[@SIZE]:PATH, SIZE being N (square) or WxH, a multiple of 32. The model file is read
// once; clones build their own cv::dnn::Net from the same bytes in memory, because a Net is not safe to
// use from two threads at once.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <optional>

#include <opencv2/core/cuda.hpp>
#include <opencv2/dnn.hpp>

#include "detectors/backends.hpp"
#include "detectors/bgr_image.hpp"
#include "detectors/candidate_selection.hpp"
#include "detectors/onnx_decoder.hpp"
#include "detectors/onnx_input_shape.hpp"
#include "edgebench/error.hpp"
#include "internal/file_io.hpp"
#include "internal/join.hpp"
#include "internal/stopwatch.hpp"

namespace edgebench::detail {
namespace {

constexpr const char* kUsage = "onnx:{nanodet|fastestdet|yolov8|yolov5}[@SIZE]:PATH";

/// What every clone of one loaded model shares.
struct OnnxModel {
    std::string spec;
    std::string path;
    const OnnxDecoder* decoder = nullptr;
    cv::Size input_size;
    std::vector<std::uint8_t> bytes;
};

int parse_side(std::string_view text, const std::string& spec) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 32 || value > 4096 || value % 32 != 0) {
        throw Error("input size '" + std::string(text) + "' in '" + spec + "' must be a multiple of 32 in 32..4096",
                    "model");
    }
    return value;
}

// "nanodet", "yolov8@640" or "yolov8@640x384" -> decoder and the input size asked for, if any.
std::pair<const OnnxDecoder*, std::optional<cv::Size>> parse_family(std::string_view text, const std::string& spec) {
    const auto at = text.find('@');
    const std::string family(text.substr(0, at));
    const OnnxDecoder* decoder = find_onnx_decoder(family);
    if (!decoder) {
        throw Error("unknown ONNX model family '" + family + "' in '" + spec + "'; known families: " +
                        join(onnx_family_names(), ", "),
                    "model");
    }
    if (at == std::string_view::npos) return {decoder, std::nullopt};
    const std::string_view size = text.substr(at + 1);
    const auto x = size.find('x');
    if (x == std::string_view::npos) {
        const int side = parse_side(size, spec);
        return {decoder, cv::Size(side, side)};
    }
    return {decoder, cv::Size(parse_side(size.substr(0, x), spec), parse_side(size.substr(x + 1), spec))};
}

std::string size_text(cv::Size size) { return std::to_string(size.width) + "x" + std::to_string(size.height); }

// The input size to run at: the one asked for, else the model's own fixed size, else the family's.
cv::Size choose_input_size(const OnnxModel& model, std::optional<cv::Size> requested) {
    const auto declared = onnx_input_shape(model.bytes);
    std::optional<cv::Size> fixed;
    if (declared && declared->size() == 4) {
        const auto& dims = *declared;
        if (dims[1] > 0 && dims[1] != 3) {
            throw Error("the model takes " + std::to_string(dims[1]) + " input channels; image detectors take 3",
                        "model", model.path);
        }
        if (dims[2] > 0 && dims[3] > 0 && dims[2] <= 65536 && dims[3] <= 65536) {
            fixed = cv::Size(static_cast<int>(dims[3]), static_cast<int>(dims[2]));
        }
    }
    if (requested && fixed && *requested != *fixed) {
        throw Error("the model takes a fixed " + size_text(*fixed) + " input, not " + size_text(*requested) +
                        " (drop the @SIZE)",
                    "model", model.path);
    }
    if (requested) return *requested;
    return fixed ? *fixed : model.decoder->default_input_size();
}

std::shared_ptr<const OnnxModel> load_model(const DetectorSpec& spec) {
    const auto colon = spec.rest.find(':');
    if (spec.rest.empty() || colon == std::string::npos || colon + 1 == spec.rest.size()) {
        throw Error("expected " + std::string(kUsage) + ", got '" + spec.text + "'", "model");
    }
    auto model = std::make_shared<OnnxModel>();
    model->spec = spec.text;
    const auto [decoder, requested_size] = parse_family(std::string_view(spec.rest).substr(0, colon), spec.text);
    model->decoder = decoder;
    model->path = spec.rest.substr(colon + 1);
    std::error_code ec;
    if (!std::filesystem::exists(model->path, ec)) throw Error("model file not found", "model", model->path);
    if (!std::filesystem::is_regular_file(model->path, ec)) throw Error("not a regular file", "model", model->path);
    try {
        model->bytes = read_file_bytes(model->path);
    } catch (const Error& error) {
        throw Error(error.message(), "model", model->path);
    }
    model->input_size = choose_input_size(*model, requested_size);
    return model;
}

cv::dnn::Net read_net(const OnnxModel& model) {
    cv::dnn::Net net;
    try {
        net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(model.bytes.data()), model.bytes.size());
    } catch (const cv::Exception& error) {
        throw Error("cannot load as an ONNX model: " + error.err, "model", model.path);
    }
    if (net.empty()) throw Error("cannot load as an ONNX model: it has no layers", "model", model.path);
    return net;
}

// The CUDA device `options.device` names ("cuda" is device 0); throws `Error` where OpenCV has no CUDA.
int cuda_device_index(const DetectorOptions& options) {
    const auto backends = cv::dnn::getAvailableBackends();
    const bool dnn_cuda = std::any_of(backends.begin(), backends.end(),
                                      [](const auto& pair) { return pair.first == cv::dnn::DNN_BACKEND_CUDA; });
    const int devices = cv::cuda::getCudaEnabledDeviceCount();
    if (!dnn_cuda || devices <= 0) {
        throw Error("CUDA is not available in this OpenCV build (OpenCV " CV_VERSION "); use device=cpu", "device");
    }
    int index = 0;
    if (options.device.size() > 5) {
        const char* first = options.device.data() + 5;
        const char* last = options.device.data() + options.device.size();
        if (std::from_chars(first, last, index).ec != std::errc()) index = devices;
    }
    if (index >= devices) {
        throw Error("there is no CUDA device " + options.device.substr(5) + " (" + std::to_string(devices) + " found)",
                    "device");
    }
    return index;
}

// Threads and the CUDA device are process-wide settings in OpenCV (cv::setNumThreads, cv::cuda::setDevice).
void configure(cv::dnn::Net& net, const DetectorOptions& options) {
    if (options.threads > 0) cv::setNumThreads(options.threads);
    if (options.device == "cpu") {
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        return;
    }
    cv::cuda::setDevice(cuda_device_index(options));
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_CUDA);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CUDA);
}

class OnnxDetector final : public Detector {
public:
    /// With `check_outputs`, the first warm-up pass also proves that the outputs fit the decoder (a clone
    /// of an already checked model skips that).
    OnnxDetector(std::shared_ptr<const OnnxModel> model, DetectorOptions options, bool check_outputs)
        : model_(std::move(model)),
          options_(std::move(options)),
          recipe_(model_->decoder->input_recipe(model_->input_size)),
          net_(read_net(*model_)),
          output_names_(net_.getUnconnectedOutLayersNames()) {
        configure(net_, options_);
        const int passes = std::max(options_.warmup_runs, check_outputs ? 1 : 0);
        const cv::Mat blank(model_->input_size, CV_8UC3, cv::Scalar::all(114));
        for (int pass = 0; pass < passes; ++pass) {
            prepare_input(blank, recipe_, blob_, scratch_);
            forward("does not run on a " + size_text(model_->input_size) + " input");
            if (check_outputs && pass == 0) {
                if (auto problem = model_->decoder->output_mismatch(outputs_, model_->input_size); !problem.empty()) {
                    throw Error("the model's outputs (" + describe_shapes(outputs_) + ") do not fit the " +
                                    std::string(model_->decoder->family()) + " decoder, which expects " + problem,
                                "model", model_->path);
                }
            }
        }
    }

    DetectionResult detect(const cv::Mat& image) override {
        Stopwatch watch;
        DetectionResult result;
        const cv::Mat bgr = to_bgr8(image);
        const InputGeometry geometry = prepare_input(bgr, recipe_, blob_, scratch_);
        result.timings.prepare_ms = watch.lap();
        forward("forward pass failed");
        result.timings.forward_ms = watch.lap();
        candidates_.clear();
        model_->decoder->decode(outputs_, model_->input_size, static_cast<float>(options_.score_threshold),
                                candidates_);
        result.detections = select_detections(candidates_, geometry, CategoryTable::coco(), options_);
        result.timings.postprocess_ms = watch.lap();
        return result;
    }

    std::unique_ptr<Detector> clone() const override {
        return std::make_unique<OnnxDetector>(model_, options_, false);
    }
    const CategoryTable& categories() const override { return CategoryTable::coco(); }
    DetectorInfo info() const override {
        return {model_->spec,
                "onnx",
                std::string(model_->decoder->family()),
                model_->path,
                model_->input_size.width,
                model_->input_size.height,
                options_.device};
    }
    const DetectorOptions& options() const override { return options_; }

private:
    void forward(const std::string& what) {
        try {
            net_.setInput(blob_);
            net_.forward(outputs_, output_names_);
        } catch (const cv::Exception& error) {
            throw Error("the model " + what + ": " + error.err, "model", model_->path);
        }
    }

    std::shared_ptr<const OnnxModel> model_;
    DetectorOptions options_;
    InputRecipe recipe_;
    cv::dnn::Net net_;
    std::vector<std::string> output_names_;
    // Buffers reused by every call; a detector is used by one thread at a time.
    cv::Mat blob_;
    InputScratch scratch_;
    std::vector<cv::Mat> outputs_;
    std::vector<Candidate> candidates_;
};

}  // namespace

DetectorRegistry::Backend onnx_backend() {
    return {"onnx", kUsage,
            "ONNX detection models through OpenCV DNN (CPU; CUDA where OpenCV was built with it). Families: "
            "nanodet (NanoDet-m, 320), fastestdet (FastestDet, 352), yolov8 (Ultralytics 1x84xN, 640), yolov5 "
            "(Ultralytics 1xNx85, 640); @SIZE (N or WxH) sets the input size of models that take any (a fixed-size model takes only its own size, or no @SIZE). Not thread-safe: one "
            "clone per worker; threads sets OpenCV's process-wide thread count.",
            [](const DetectorSpec& spec, const DetectorOptions& options) -> std::unique_ptr<Detector> {
                if (options.device != "cpu") cuda_device_index(options);  // refuse before reading the model
                return std::make_unique<OnnxDetector>(load_model(spec), options, true);
            }};
}

}  // namespace edgebench::detail
