#include "edgebench/detect_dataset.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "edgebench/error.hpp"
#include "internal/stopwatch.hpp"

namespace edgebench {

DetectorTimings DatasetDetections::mean() const noexcept {
    if (images == 0) return {};
    const double n = static_cast<double>(images);
    return {total.prepare_ms / n, total.forward_ms / n, total.postprocess_ms / n};
}

std::size_t DatasetDetections::detection_count() const noexcept {
    std::size_t count = 0;
    for (const auto& [id, detections] : detections) count += detections.size();
    return count;
}

DatasetDetections detect_dataset(Detector& detector, const CocoDataset& dataset, const DetectDatasetOptions& options) {
    if (options.workers == 0) throw Error("must be at least 1", "workers");
    const detail::Stopwatch watch;
    const std::size_t count = dataset.size();
    const std::size_t workers = std::min(options.workers, std::max<std::size_t>(count, 1));

    // Extra workers need their own detector unless it can be shared; clones are made before any thread
    // starts, so that a failing clone leaves nothing running.
    std::vector<std::unique_ptr<Detector>> clones;
    std::vector<Detector*> per_worker(workers, &detector);
    if (!detector.thread_safe()) {
        for (std::size_t w = 1; w < workers; ++w) {
            clones.push_back(detector.clone());
            per_worker[w] = clones.back().get();
        }
    }

    std::vector<DetectionResult> results(count);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex progress_mutex;
    std::size_t done = 0;
    std::exception_ptr first_error;
    const auto work = [&](Detector& mine) {
        try {
            for (std::size_t i = next++; i < count && !stop; i = next++) {
                results[i] = mine.detect(read_image(dataset[i]));
                if (options.progress) {
                    const std::lock_guard lock(progress_mutex);
                    options.progress(++done, count);
                }
            }
        } catch (...) {
            const std::lock_guard lock(progress_mutex);
            if (!first_error) first_error = std::current_exception();
            stop = true;
        }
    };
    {
        std::vector<std::jthread> threads;
        for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work, std::ref(*per_worker[w]));
        work(*per_worker[0]);
    }
    if (first_error) std::rethrow_exception(first_error);

    DatasetDetections run;
    run.images = count;
    for (std::size_t i = 0; i < count; ++i) {
        run.total.prepare_ms += results[i].timings.prepare_ms;
        run.total.forward_ms += results[i].timings.forward_ms;
        run.total.postprocess_ms += results[i].timings.postprocess_ms;
        run.detections[dataset[i].id] = std::move(results[i].detections);
    }
    run.wall_ms = watch.elapsed_ms();
    return run;
}

}  // namespace edgebench
