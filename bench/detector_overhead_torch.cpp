// What the Detector wrapper costs on top of libtorch, for the built-in model and torchvision's smallest
// detector (ssdlite320_mobilenet_v3_large, random weights: its NMS sees a few hundred boxes).
//   forward/NAME   torch::jit::Module::forward() alone, on input tensors prepared once beforehand
//   detect/NAME    Detector::detect() on the same images (BGR -> RGB float tensor, forward, reading the
//                  output tensors, threshold, clipping, sorting)
//   paired/NAME    both back to back on each image, each pair timed on its own; its counters (medians
//                  over the pairs) forward_ms, detect_ms and overhead_pct are the figures to quote, and
//                  the same in CPU time of the calling thread (*_cpu_ms, overhead_cpu_pct), which a shared
//                  machine disturbs far less (libtorch runs on the calling thread when it has 1 thread)
// main() and the overhead summary are in detector_bench_main.cpp, shared with the ONNX models.
// Images: 16 synthetic 320x240 images (held-out seed). Both sides use libtorch's default thread count,
// InferenceMode and score threshold 0.05.
//
// The ssdlite model is exported with `python -m edgebench.models export ... --weights none` into
// <build>/bench/models on first use (EDGEBENCH_BENCH_SSDLITE names another file).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>
#include <torch/script.h>

#include "detector_bench.hpp"
#include "edgebench/detector.hpp"
#include "edgebench/synthetic_dataset.hpp"

namespace {

namespace fs = std::filesystem;

const std::vector<cv::Mat>& synthetic_images() {
    static const std::vector<cv::Mat> rendered = [] {
        edgebench::SyntheticDatasetOptions options;
        options.seed = 4242;
        std::vector<cv::Mat> result;
        for (std::size_t i = 0; i < 16; ++i) result.push_back(edgebench::render_synthetic_image(options, i).image);
        return result;
    }();
    return rendered;
}

// The model file of a benchmark name, or empty (with the reason) when it cannot be had.
fs::path model_file(const std::string& name, std::string& why) {
    if (name == "builtin") {
        const fs::path file = fs::path(EDGEBENCH_SOURCE_DIR) / "models" / "shapes-v2.pt";
        if (!fs::exists(file)) why = file.string() + " is missing";
        return fs::exists(file) ? file : fs::path();
    }
    if (const char* chosen = std::getenv("EDGEBENCH_BENCH_SSDLITE"); chosen && *chosen) return chosen;
    const fs::path file = fs::path(EDGEBENCH_BINARY_DIR) / "bench" / "models" / (name + ".pt");
    if (fs::exists(file)) return file;
    fs::create_directories(file.parent_path());
    const std::string command = "cd '" EDGEBENCH_SOURCE_DIR "/python/edgebench' && '" EDGEBENCH_PYTHON
                                "' -m models export " + name + " '" + file.string() + "' --weights none > /dev/null";
    if (std::system(command.c_str()) != 0 || !fs::exists(file)) {
        why = "exporting " + name + " failed (needs python3-torchvision); set EDGEBENCH_BENCH_SSDLITE";
        return {};
    }
    return file;
}

// A detector and the bare module of one model, loaded once for all benchmarks of the process.
struct Pair {
    std::unique_ptr<edgebench::Detector> detector;
    torch::jit::Module module;
    std::vector<at::Tensor> inputs;  // the detector's own conversion: RGB, 0..1, CHW float
};

Pair* pair_for(benchmark::State& state, const std::string& name) {
    static std::map<std::string, std::unique_ptr<Pair>> loaded;  // benchmark-process cache only
    if (auto found = loaded.find(name); found != loaded.end()) return found->second.get();
    std::string why;
    const fs::path file = model_file(name, why);
    if (file.empty()) {
        state.SkipWithError(why.c_str());
        return nullptr;
    }
    auto pair = std::make_unique<Pair>();
    // The detector first: it loads torchvision's operators, which the bare module needs too.
    pair->detector = edgebench::make_detector("torchscript:" + file.string());
    pair->module = torch::jit::load(file.string());
    pair->module.eval();
    c10::InferenceMode inference;
    for (const auto& image : synthetic_images()) {
        cv::Mat rgb;
        cv::cvtColor(image, rgb, cv::COLOR_BGR2RGB);
        pair->inputs.push_back(torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8)
                                   .permute({2, 0, 1})
                                   .to(torch::kFloat32)
                                   .div(255.0)
                                   .contiguous());
    }
    // Warm-up as the detector's construction does (the first calls profile and optimise the graph).
    for (int i = 0; i < 2; ++i) (void)pair->module.forward({c10::List<at::Tensor>({pair->inputs[0]})});
    return loaded.emplace(name, std::move(pair)).first->second.get();
}

void forward(benchmark::State& state, const std::string& name) {
    Pair* pair = pair_for(state, name);
    if (!pair) return;
    c10::InferenceMode inference;
    std::size_t index = 0;
    for (auto _ : state) {
        auto output = pair->module.forward({c10::List<at::Tensor>({pair->inputs[index++ % pair->inputs.size()]})});
        benchmark::DoNotOptimize(output);
    }
}

void detect(benchmark::State& state, const std::string& name) {
    Pair* pair = pair_for(state, name);
    if (!pair) return;
    edgebench::bench::time_detect_calls(state, *pair->detector, synthetic_images());
}

double thread_cpu_ms() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// One iteration = detect() and bare forward() on the same image, back to back, each pair timed on its
// own: the load of a busy machine changes slowly, so the median of the pairwise ratios is the steadiest.
void paired(benchmark::State& state, const std::string& name) {
    Pair* pair = pair_for(state, name);
    if (!pair) return;
    using clock = std::chrono::steady_clock;
    std::vector<double> forward_ms;
    std::vector<double> detect_ms;
    std::vector<double> ratios;
    std::vector<double> forward_cpu_ms;
    std::vector<double> detect_cpu_ms;
    std::vector<double> cpu_ratios;
    std::size_t index = 0;
    for (auto _ : state) {
        const std::size_t i = index++ % synthetic_images().size();
        const auto start = clock::now();
        const double start_cpu = thread_cpu_ms();
        const auto result = pair->detector->detect(synthetic_images()[i]);
        benchmark::DoNotOptimize(result.detections.data());
        const auto middle = clock::now();
        const double middle_cpu = thread_cpu_ms();
        {
            c10::InferenceMode inference;
            auto output = pair->module.forward({c10::List<at::Tensor>({pair->inputs[i]})});
            benchmark::DoNotOptimize(output);
        }
        const auto end = clock::now();
        const double end_cpu = thread_cpu_ms();
        detect_ms.push_back(std::chrono::duration<double, std::milli>(middle - start).count());
        forward_ms.push_back(std::chrono::duration<double, std::milli>(end - middle).count());
        detect_cpu_ms.push_back(middle_cpu - start_cpu);
        forward_cpu_ms.push_back(end_cpu - middle_cpu);
        if (forward_ms.back() > 0) ratios.push_back(detect_ms.back() / forward_ms.back());
        if (forward_cpu_ms.back() > 0) cpu_ratios.push_back(detect_cpu_ms.back() / forward_cpu_ms.back());
    }
    state.counters["forward_ms"] = edgebench::bench::median(forward_ms);
    state.counters["detect_ms"] = edgebench::bench::median(detect_ms);
    state.counters["overhead_pct"] = ratios.empty() ? 0.0 : 100.0 * (edgebench::bench::median(ratios) - 1.0);
    state.counters["forward_cpu_ms"] = edgebench::bench::median(forward_cpu_ms);
    state.counters["detect_cpu_ms"] = edgebench::bench::median(detect_cpu_ms);
    state.counters["overhead_cpu_pct"] = cpu_ratios.empty() ? 0.0 : 100.0 * (edgebench::bench::median(cpu_ratios) - 1.0);
    state.counters["threads"] = at::get_num_threads();
}

}  // namespace

BENCHMARK_CAPTURE(forward, builtin, std::string("builtin"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(detect, builtin, std::string("builtin"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(paired, builtin, std::string("builtin"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(forward, ssdlite320, std::string("ssdlite320_mobilenet_v3_large"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(detect, ssdlite320, std::string("ssdlite320_mobilenet_v3_large"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(paired, ssdlite320, std::string("ssdlite320_mobilenet_v3_large"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
