// The `torchscript` backend: detection models scripted with torch.jit.script in torchvision's convention
// (a list of CHW float RGB images in 0..1 in, `(losses, detections)` out, each detection a dict of xyxy
// `boxes`, `labels` and `scores` in the input image's pixels), run with libtorch.
//
// This is the only file that includes torch headers (they cost seconds per translation unit). It is
// compiled into the plugin libedgebench_torch.so, not into libedgebench (see torch_plugin.hpp).

#include "detectors/torch_plugin.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <sstream>
#include <system_error>

#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>
#include <torch/cuda.h>
#include <torch/script.h>

#include "detectors/model_metadata.hpp"
#include "detectors/torchvision_ops.hpp"
#include "edgebench/error.hpp"
#include "edgebench/version.hpp"
#include "internal/first_line.hpp"
#include "internal/stopwatch.hpp"

namespace edgebench::detail {
namespace {

// Loaded once, shared by a detector and all its clones. TorchScript modules may run `forward` from
// several threads at once (the interpreter keeps per-call state on the caller's stack); nothing here
// changes after loading.
struct LoadedModel {
    torch::jit::Module module;
    ModelMetadata metadata;
    c10::Device device = c10::Device(c10::kCPU);
    std::string path;
};


c10::Device choose_device(const std::string& name) {
    if (name == "cpu") return c10::Device(c10::kCPU);
    if (!torch::cuda::is_available()) {
        throw Error("'" + name + "' asked for, but this libtorch has no CUDA support or sees no GPU", "device");
    }
    const c10::Device device(name);  // "cuda" or "cuda:N", already validated by DetectorOptions
    if (device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count())) {
        throw Error("'" + name + "' asked for, but only " + std::to_string(torch::cuda::device_count()) +
                        " CUDA device(s) are visible",
                    "device");
    }
    return device;
}

// torchvision's scripted detection models: forward(self, images: List[Tensor], targets=None)
//   -> Tuple[Dict[str, Tensor], List[Dict[str, Tensor]]]. A bare List[Dict[str, Tensor]] is accepted too.
void check_forward_signature(const torch::jit::Module& module, const std::string& path) {
    const auto method = module.find_method("forward");
    if (!method) throw Error("the TorchScript module has no forward method", "model", path);
    const c10::FunctionSchema& schema = method->function().getSchema();
    const auto detections_type = c10::ListType::create(c10::DictType::create(c10::StringType::get(),
                                                                             c10::TensorType::get()));
    bool takes_images = schema.arguments().size() >= 2 &&
                        *schema.arguments()[1].type() == *c10::ListType::ofTensors();
    for (std::size_t i = 2; i < schema.arguments().size(); ++i) {
        takes_images = takes_images && schema.arguments()[i].default_value().has_value();
    }
    bool gives_detections = false;
    if (schema.returns().size() == 1) {
        const c10::TypePtr& type = schema.returns()[0].type();
        if (const auto tuple = type->cast<c10::TupleType>()) {
            gives_detections = tuple->elements().size() == 2 && *tuple->elements()[1] == *detections_type;
        } else {
            gives_detections = *type == *detections_type;
        }
    }
    if (!takes_images || !gives_detections) {
        std::ostringstream text;
        text << schema;
        throw Error("not a detection model in torchvision's convention: forward must take List[Tensor] and return "
                    "(Dict[str, Tensor], List[Dict[str, Tensor]]), but it is " +
                        text.str(),
                    "model", path);
    }
}

// libtorch's reason for not loading a file, turned into what the user should do about it.
Error load_error(const std::string& why, const TorchvisionOps& ops, const std::string& path) {
    if (!ops.loaded && why.find("torchvision::") != std::string::npos) {
        return Error(torchvision_ops_help(ops), "model", path);
    }
    if (why.find("PytorchStreamReader") != std::string::npos) {
        return Error("not a TorchScript archive (expected a file written by torch.jit.save): " + first_line(why),
                     "model", path);
    }
    return Error("libtorch cannot load this TorchScript model: " + first_line(why), "model", path);
}

std::shared_ptr<LoadedModel> load_model(const std::filesystem::path& file, const DetectorOptions& options) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        throw Error(std::filesystem::exists(file, ec) ? "not a regular file" : "model file not found", "model",
                    file.string());
    }
    auto model = std::make_shared<LoadedModel>();
    model->path = file.string();
    model->device = choose_device(options.device);
    // Loaded before the model: its code is compiled while loading, and calls to unknown operators fail
    // then. Models that need no torchvision operators load whether or not this succeeds.
    const TorchvisionOps& ops = torchvision_ops();

    torch::jit::ExtraFilesMap extra{{kModelMetadataFile, ""}};
    try {
        model->module = torch::jit::load(model->path, model->device, extra);
    } catch (const c10::Error& error) {
        throw load_error(error.what_without_backtrace(), ops, model->path);
    } catch (const std::exception& error) {  // the TorchScript compiler's errors are no c10::Error
        throw load_error(error.what(), ops, model->path);
    }
    model->module.eval();
    check_forward_signature(model->module, model->path);
    model->metadata = parse_model_metadata(extra[kModelMetadataFile], model->path);
    return model;
}

// 8-bit BGR (or gray, or BGRA) -> CHW float tensor of the model's channel order and scale, in one pass
// over the pixels (a per-value table does the scaling; this runs once per image, so it must be cheap
// next to a forward pass of a few milliseconds).
at::Tensor to_input(const cv::Mat& image, const ModelMetadata& metadata) {
    cv::Mat bgr;
    if (image.channels() == 3) {
        bgr = image;
    } else {
        cv::cvtColor(image, bgr, image.channels() == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_BGRA2BGR);
    }
    std::array<float, 256> value{};
    for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<float>(static_cast<double>(i) / metadata.scale);
    const int height = bgr.rows;
    const int width = bgr.cols;
    at::Tensor input = torch::empty({3, height, width}, torch::kFloat32);
    const std::size_t plane = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
    float* first = input.data_ptr<float>();
    float* second = first + plane;
    float* third = second + plane;
    // OpenCV stores B, G, R; an RGB model's first plane is OpenCV's channel 2.
    const int first_channel = metadata.rgb ? 2 : 0;
    const int third_channel = 2 - first_channel;
    for (int y = 0; y < height; ++y) {
        const std::uint8_t* pixel = bgr.ptr<std::uint8_t>(y);
        const std::size_t offset = static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
        for (int x = 0; x < width; ++x, pixel += 3) {
            first[offset + x] = value[pixel[first_channel]];
            second[offset + x] = value[pixel[1]];
            third[offset + x] = value[pixel[third_channel]];
        }
    }
    return input;
}

class TorchScriptDetector final : public Detector {
public:
    TorchScriptDetector(std::shared_ptr<LoadedModel> model, DetectorOptions options, DetectorInfo info)
        : model_(std::move(model)), options_(std::move(options)), info_(std::move(info)) {}

    DetectionResult detect(const cv::Mat& image) override {
        if (image.empty()) throw Error("empty image", "image");
        if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)) {
            throw Error("expected an 8-bit image with 1, 3 or 4 channels", "image");
        }
        DetectionResult result;
        Stopwatch clock;
        // No autograd bookkeeping at all; tensors made here never leave this call.
        c10::InferenceMode inference;
        at::Tensor input = to_input(image, model_->metadata);
        if (!model_->device.is_cpu()) input = input.to(model_->device);
        std::vector<c10::IValue> arguments;
        arguments.emplace_back(c10::List<at::Tensor>({input}));
        result.timings.prepare_ms = clock.lap();

        c10::IValue output;
        try {
            output = model_->module.forward(std::move(arguments));
            if (model_->device.is_cuda()) torch::cuda::synchronize(model_->device.index());
        } catch (const c10::Error& error) {
            throw Error("the model failed on a " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                            " image: " + first_line(error.what_without_backtrace()),
                        "model", model_->path);
        }
        result.timings.forward_ms = clock.lap();

        result.detections = decode(output, image.cols, image.rows);
        result.timings.postprocess_ms = clock.lap();
        return result;
    }

    std::unique_ptr<Detector> clone() const override {
        return std::make_unique<TorchScriptDetector>(model_, options_, info_);
    }
    bool thread_safe() const noexcept override { return true; }
    const CategoryTable& categories() const override { return model_->metadata.categories; }
    DetectorInfo info() const override { return info_; }
    const DetectorOptions& options() const override { return options_; }

private:
    [[noreturn]] void bad_output(const std::string& why) const {
        throw Error("the model's output is not torchvision's detection format: " + why, "model", model_->path);
    }

    at::Tensor field(const c10::Dict<c10::IValue, c10::IValue>& detections, const char* name, int64_t rows) const {
        const auto found = detections.find(name);
        if (found == detections.end() || !found->value().isTensor()) bad_output(std::string("no '") + name + "' tensor");
        at::Tensor tensor = found->value().toTensor().to(at::kCPU);
        if (tensor.dim() < 1 || tensor.size(0) != rows) bad_output(std::string("'") + name + "' has the wrong size");
        return tensor.contiguous();
    }

    std::vector<Detection> decode(const c10::IValue& output, int width, int height) const {
        c10::IValue list = output;
        if (output.isTuple()) {
            const auto& elements = output.toTupleRef().elements();
            if (elements.size() != 2) bad_output("a tuple of " + std::to_string(elements.size()) + " values");
            list = elements[1];
        }
        if (!list.isList() || list.toListRef().size() != 1 || !list.toListRef()[0].isGenericDict()) {
            bad_output("expected one dict of boxes, labels and scores per image");
        }
        const auto dict = list.toListRef()[0].toGenericDict();
        const auto boxes_field = dict.find("boxes");
        if (boxes_field == dict.end() || !boxes_field->value().isTensor()) bad_output("no 'boxes' tensor");
        const int64_t count = boxes_field->value().toTensor().size(0);
        const at::Tensor boxes = field(dict, "boxes", count).to(at::kDouble);
        const at::Tensor labels = field(dict, "labels", count).to(at::kLong);
        const at::Tensor scores = field(dict, "scores", count).to(at::kDouble);
        if (boxes.dim() != 2 || boxes.size(1) != 4) bad_output("'boxes' is not N x 4");

        const auto box = boxes.accessor<double, 2>();
        const auto label = labels.accessor<int64_t, 1>();
        const auto score = scores.accessor<double, 1>();
        const CategoryTable& categories = model_->metadata.categories;
        std::vector<Detection> detections;
        detections.reserve(static_cast<std::size_t>(count));
        for (int64_t i = 0; i < count; ++i) {
            // Labels outside the table (torchvision's background 0 and unused COCO ids) are not objects.
            if (!(score[i] >= options_.score_threshold) || !categories.contains(label[i])) continue;
            const BBox clipped = BBox::from_corners(box[i][0], box[i][1], box[i][2], box[i][3]).clipped(width, height);
            if (!(clipped.width > 0 && clipped.height > 0)) continue;
            detections.push_back({label[i], clipped, score[i]});
        }
        std::stable_sort(detections.begin(), detections.end(),
                         [](const Detection& a, const Detection& b) { return a.score > b.score; });
        if (detections.size() > static_cast<std::size_t>(options_.max_detections)) {
            detections.resize(static_cast<std::size_t>(options_.max_detections));
        }
        return detections;
    }

    std::shared_ptr<LoadedModel> model_;
    DetectorOptions options_;
    DetectorInfo info_;
};

std::unique_ptr<Detector> load_torchscript_detector(const std::filesystem::path& model_file, const std::string& spec,
                                                    const std::string& backend, const DetectorOptions& options) {
    options.validate();
    // Process-wide in libtorch (one intra-op pool per process): the last detector built decides.
    if (options.threads > 0) at::set_num_threads(options.threads);
    auto model = load_model(model_file, options);
    DetectorInfo info{spec,
                      backend,
                      model->metadata.architecture.empty() ? "torchscript" : model->metadata.architecture,
                      model->path,
                      0,
                      0,
                      options.device};
    auto detector = std::make_unique<TorchScriptDetector>(std::move(model), options, std::move(info));
    // The first calls of a TorchScript model profile and optimise its graph; do them before real work.
    const cv::Mat blank(240, 320, CV_8UC3, cv::Scalar::all(114));
    for (int i = 0; i < options.warmup_runs; ++i) (void)detector->detect(blank);
    return detector;
}

}  // namespace

}  // namespace edgebench::detail

// The plugin's entry point, which libedgebench looks up by name (torch_plugin.cpp).
extern "C" __attribute__((visibility("default"))) const edgebench::detail::TorchPlugin* edgebench_torch_plugin() {
    static const edgebench::detail::TorchPlugin plugin{edgebench::detail::kTorchPluginInterfaceVersion,
                                                       edgebench::kVersion,
                                                       &edgebench::detail::load_torchscript_detector};
    return &plugin;
}
