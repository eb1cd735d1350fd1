// Preprocessing throughput in C++ for a few settings, on the COCO sample when it is present
// (EDGEBENCH_COCO_SAMPLE or ../shared/data/coco-sample), otherwise on synthetic 640x480 images.
// bench/preprocess_vs_pil.py puts these settings side by side with PIL in one run.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/preprocessor.hpp"
#include "edgebench/synthetic_dataset.hpp"

#include <opencv2/imgcodecs.hpp>

namespace {

std::vector<std::vector<std::uint8_t>> load_images() {
    std::filesystem::path json;
    if (const char* env = std::getenv("EDGEBENCH_COCO_SAMPLE")) json = env;
    if (json.empty()) json = std::filesystem::path(EDGEBENCH_SOURCE_DIR) / ".." / "shared" / "data" / "coco-sample" / "instances.json";
    std::vector<std::vector<std::uint8_t>> images;
    if (std::filesystem::exists(json)) {
        for (const auto& sample : edgebench::CocoDataset::load(json)) images.push_back(edgebench::read_image_bytes(sample));
        return images;
    }
    edgebench::SyntheticDatasetOptions options;
    options.width = 640;
    options.height = 480;
    for (std::size_t i = 0; i < 32; ++i) {
        std::vector<std::uint8_t> bytes;
        cv::imencode(".jpg", edgebench::render_synthetic_image(options, i).image, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
        images.push_back(std::move(bytes));
    }
    return images;
}

const std::vector<std::vector<std::uint8_t>>& images() {
    static const auto loaded = load_images();
    return loaded;
}

void run(benchmark::State& state, const char* settings) {
    const edgebench::Preprocessor preprocessor(edgebench::PreprocessConfig::parse(settings));
    const auto& data = images();
    std::size_t index = 0;
    for (auto _ : state) {
        auto result = preprocessor.process(data[index++ % data.size()], false);
        benchmark::DoNotOptimize(result.encoded.data());
    }
    state.counters["images/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(run, quality95, "quality=95")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, quality50_resize75, "quality=50,resize=75")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, gray_quality50_resize50, "grayscale=1,quality=50,resize=50")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, quality10_resize25, "quality=10,resize=25")->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
