// What the Detector wrapper costs on top of OpenCV DNN, for the real ONNX models.
//   forward/MODEL  cv::dnn::Net::forward() alone, on inputs prepared once beforehand
//   detect/MODEL   Detector::detect() on the same images (prepare + forward + decode + NMS)
//   paired/MODEL   the two back to back on each image, with the median of the pairwise overhead
// The images are the first 16 of the COCO sample (EDGEBENCH_COCO_SAMPLE or ../shared/data/coco-sample),
// the models from EDGEBENCH_MODEL_DIR or ../shared/data/models; without them the benchmarks are skipped.
// Both sides use OpenCV's default thread count and score threshold 0.05 (the COCO-mAP setting, the one
// with the most boxes to decode).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <opencv2/dnn.hpp>

#include "detector_bench.hpp"
#include "detectors/network_input.hpp"
#include "detectors/onnx_decoder.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/detector.hpp"

namespace {

namespace fs = std::filesystem;

fs::path shared_path(const char* variable, const fs::path& fallback) {
    if (const char* value = std::getenv(variable); value && *value) return value;
    return fs::path(EDGEBENCH_SOURCE_DIR) / ".." / "shared" / "data" / fallback;
}

const std::vector<cv::Mat>& coco_sample_images() {
    static const std::vector<cv::Mat> loaded = [] {
        std::vector<cv::Mat> result;
        const auto json = shared_path("EDGEBENCH_COCO_SAMPLE", fs::path("coco-sample") / "instances.json");
        if (!fs::exists(json)) return result;
        for (const auto& sample : edgebench::CocoDataset::load(json).first(16)) result.push_back(edgebench::read_image(sample));
        return result;
    }();
    return loaded;
}

fs::path model_path(const char* file) { return shared_path("EDGEBENCH_MODEL_DIR", "models") / file; }

bool ready(benchmark::State& state, const fs::path& model) {
    if (coco_sample_images().empty() || !fs::exists(model)) {
        state.SkipWithError("the COCO sample or the model is not present (see EDGEBENCH_COCO_SAMPLE, EDGEBENCH_MODEL_DIR)");
        return false;
    }
    return true;
}

void detect(benchmark::State& state, const char* family, const char* file) {
    const auto model = model_path(file);
    if (!ready(state, model)) return;
    auto detector = edgebench::make_detector(std::string("onnx:") + family + ":" + model.string());
    edgebench::bench::time_detect_calls(state, *detector, coco_sample_images());
}

// The bare network: the same settings and the same input blobs as the detector builds, prepared up front.
struct BareNet {
    cv::dnn::Net net;
    std::vector<cv::String> names;
    std::vector<cv::Mat> blobs;  // one per image of coco_sample_images()
    std::vector<cv::Mat> outputs;

    BareNet(const char* family, const fs::path& model) : net(cv::dnn::readNetFromONNX(model.string())) {
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        names = net.getUnconnectedOutLayersNames();
        const auto* decoder = edgebench::detail::find_onnx_decoder(family);
        const auto recipe = decoder->input_recipe(decoder->default_input_size());
        edgebench::detail::InputScratch scratch;
        for (const auto& image : coco_sample_images()) {
            cv::Mat blob;
            edgebench::detail::prepare_input(image, recipe, blob, scratch);
            blobs.push_back(blob);
        }
        forward(0);  // warm-up, as the detector's construction does
    }

    void forward(std::size_t index) {
        net.setInput(blobs[index % blobs.size()]);
        net.forward(outputs, names);
    }
};

void forward(benchmark::State& state, const char* family, const char* file) {
    const auto model = model_path(file);
    if (!ready(state, model)) return;
    BareNet bare(family, model);
    std::size_t index = 0;
    for (auto _ : state) {
        bare.forward(index++);
        benchmark::DoNotOptimize(bare.outputs.data());
    }
}

// Bare forward and detect() back to back on the same image, each pair timed on its own: the load of a
// busy machine changes slowly, so the median of the pairwise ratios is the steadiest overhead figure.
void paired(benchmark::State& state, const char* family, const char* file) {
    const auto model = model_path(file);
    if (!ready(state, model)) return;
    BareNet bare(family, model);
    auto detector = edgebench::make_detector(std::string("onnx:") + family + ":" + model.string());
    const auto& inputs = coco_sample_images();
    std::vector<double> forward_ms;
    std::vector<double> detect_ms;
    std::vector<double> ratios;
    std::size_t index = 0;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        bare.forward(index);
        const auto middle = std::chrono::steady_clock::now();
        const auto result = detector->detect(inputs[index % inputs.size()]);
        const auto end = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(result.detections.data());
        forward_ms.push_back(std::chrono::duration<double, std::milli>(middle - start).count());
        detect_ms.push_back(std::chrono::duration<double, std::milli>(end - middle).count());
        ratios.push_back(detect_ms.back() / forward_ms.back());
        ++index;
    }
    state.counters["forward_ms"] = edgebench::bench::median(forward_ms);
    state.counters["detect_ms"] = edgebench::bench::median(detect_ms);
    state.counters["overhead_pct"] = 100.0 * (edgebench::bench::median(ratios) - 1.0);
}

}  // namespace

BENCHMARK_CAPTURE(paired, nanodet, "nanodet", "nanodet-m-320.onnx")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(paired, fastestdet, "fastestdet", "fastestdet-352.onnx")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(forward, nanodet, "nanodet", "nanodet-m-320.onnx")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(detect, nanodet, "nanodet", "nanodet-m-320.onnx")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(forward, fastestdet, "fastestdet", "fastestdet-352.onnx")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(detect, fastestdet, "fastestdet", "fastestdet-352.onnx")->Unit(benchmark::kMillisecond)->UseRealTime();
