#pragma once
/// \file
/// Running a detector over every image of a dataset, for COCO results files and offline evaluation.

#include <cstddef>
#include <functional>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/coco_results.hpp"
#include "edgebench/detector.hpp"

namespace edgebench {

struct DetectDatasetOptions {
    /// Threads running the detector. Each extra worker gets its own `clone()` unless the detector is
    /// `thread_safe()`, in which case they share it.
    std::size_t workers = 1;
    /// Called after each image with (images done, images in total), from the worker that did it,
    /// never from two threads at once.
    std::function<void(std::size_t, std::size_t)> progress;
};

/// What `detect_dataset` found and how long the detector took.
struct DatasetDetections {
    /// Every image of the dataset, with its detections (possibly none), by image id.
    DetectionsByImage detections;
    std::size_t images = 0;
    /// Sums over all images of the detector's own stage timings (decoding the files is not included).
    DetectorTimings total;
    /// Wall-clock milliseconds of the whole run, image decoding and all workers included.
    double wall_ms = 0;

    /// The mean per image of `total` (zero when there were no images).
    DetectorTimings mean() const noexcept;
    std::size_t detection_count() const noexcept;
};

/// Reads each image of `dataset` and runs `detector` on it. The first error (an unreadable image, a
/// detector error) stops the run and is rethrown.
DatasetDetections detect_dataset(Detector& detector, const CocoDataset& dataset,
                                 const DetectDatasetOptions& options = {});

}  // namespace edgebench
