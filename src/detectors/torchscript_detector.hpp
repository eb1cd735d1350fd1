#pragma once
// The TorchScript backend's entry point for other backends (`builtin`), without torch headers: they
// are slow to compile, so only torchscript_detector.cpp includes them.

#include <filesystem>
#include <memory>
#include <string>

#include "edgebench/detector.hpp"

namespace edgebench::detail {

/// Loads a TorchScript detection model (torchvision's convention: a list of CHW float images in,
/// `(losses, detections)` out) and returns a detector for it. `spec` and `backend` only label the result.
std::unique_ptr<Detector> make_torchscript_detector(const std::filesystem::path& model_file, const std::string& spec,
                                                    const std::string& backend, const DetectorOptions& options);

}  // namespace edgebench::detail
