#pragma once
// Detectors crossing between Python and C++.
//
// C++ holds detectors as std::shared_ptr<Detector> (edge and cloud services, detect_dataset, ...). A
// detector written in Python is a PythonDetector (the pybind11 trampoline) whose overriding methods live
// in the Python object; the C++ half alone is not enough. So every detector handed from Python to C++
// goes through `detector_from_python`, which for Python subclasses returns a shared_ptr that also keeps
// the Python object alive, and releases it under the GIL from whichever thread drops the last reference.

#include <memory>

#include <pybind11/pybind11.h>

#include "edgebench/detector.hpp"

namespace edgebench::python {

/// A strong reference to a Python object that any thread may drop: the destructor takes the GIL (and
/// leaks the reference instead when the interpreter is already shutting down). Create it with the GIL held.
class PythonRef {
public:
    explicit PythonRef(pybind11::object object) : object_(std::move(object)) {}
    ~PythonRef();
    PythonRef(const PythonRef&) = delete;
    PythonRef& operator=(const PythonRef&) = delete;

    const pybind11::object& object() const noexcept { return object_; }

private:
    pybind11::object object_;
};

/// The trampoline behind `class MyDetector(edgebench.Detector)`. Every call from C++ takes the GIL.
/// `detect` may return a DetectionResult or a list of Detection; either way the result is held to the
/// Detector contract (score threshold, clipped to the image, sorted, at most max_detections).
/// `categories()` (default: the 80 COCO classes) is read once and cached; `info()` defaults to backend
/// "python" with the class name; `thread_safe()` defaults to False; `clone()` is a proxy that shares
/// this Python object (a Python detector is one object, whatever number of C++ workers use it).
class PythonDetector : public Detector {
public:
    PythonDetector() = default;
    explicit PythonDetector(DetectorOptions options) : options_(std::move(options)) {}

    DetectionResult detect(const cv::Mat& image) override;
    std::unique_ptr<Detector> clone() const override;
    bool thread_safe() const noexcept override;
    const CategoryTable& categories() const override;
    DetectorInfo info() const override;
    const DetectorOptions& options() const override { return options_; }

private:
    DetectorOptions options_;
    mutable std::unique_ptr<CategoryTable> categories_;  // set once, with the GIL held
};

/// A Detector that forwards to a shared one; how C++ gets a unique_ptr (clone(), a registry factory)
/// of a detector that Python owns.
class SharedDetector final : public Detector {
public:
    explicit SharedDetector(std::shared_ptr<Detector> target) : target_(std::move(target)) {}

    DetectionResult detect(const cv::Mat& image) override { return target_->detect(image); }
    std::unique_ptr<Detector> clone() const override { return target_->clone(); }
    bool thread_safe() const noexcept override { return target_->thread_safe(); }
    const CategoryTable& categories() const override { return target_->categories(); }
    DetectorInfo info() const override { return target_->info(); }
    const DetectorOptions& options() const override { return target_->options(); }

private:
    std::shared_ptr<Detector> target_;
};

/// The detector a Python object is, for C++ to keep (see the file comment). Raises TypeError for
/// anything that is not an edgebench.Detector. Call with the GIL held.
std::shared_ptr<Detector> detector_from_python(const pybind11::handle& object);

}  // namespace edgebench::python
