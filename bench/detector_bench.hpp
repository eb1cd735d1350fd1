#pragma once
// Pieces the two halves of bench_detector (ONNX and TorchScript models) share.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "edgebench/detector.hpp"

namespace edgebench::bench {

/// The median of `values` (0 when empty).
inline double median(std::vector<double> values) {
    if (values.empty()) return 0;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

/// The body of a detect/NAME benchmark: detect() on `images` in turn. Its counters are the detector's
/// own split of the same calls: the in-call overhead is (prepare + post) / forward, which a busy machine
/// disturbs less than the comparison of two separate benchmarks.
inline void time_detect_calls(benchmark::State& state, Detector& detector, const std::vector<cv::Mat>& images) {
    std::size_t index = 0;
    double prepare_ms = 0;
    double forward_ms = 0;
    double post_ms = 0;
    for (auto _ : state) {
        const auto result = detector.detect(images[index++ % images.size()]);
        benchmark::DoNotOptimize(result.detections.data());
        prepare_ms += result.timings.prepare_ms;
        forward_ms += result.timings.forward_ms;
        post_ms += result.timings.postprocess_ms;
    }
    state.counters["prepare_ms"] = benchmark::Counter(prepare_ms, benchmark::Counter::kAvgIterations);
    state.counters["forward_ms"] = benchmark::Counter(forward_ms, benchmark::Counter::kAvgIterations);
    state.counters["post_ms"] = benchmark::Counter(post_ms, benchmark::Counter::kAvgIterations);
}

}  // namespace edgebench::bench
