#pragma once
// The built-in detector backends; detector_registry.cpp registers each of them.

#include <filesystem>
#include <string>

#include "edgebench/detector.hpp"

namespace edgebench::detail {

/// `none`: detects nothing, for edges that only preprocess and forward.
DetectorRegistry::Backend none_backend();
/// `onnx:FAMILY[@SIZE]:PATH`: ONNX models through OpenCV DNN (onnx_detector.cpp).
DetectorRegistry::Backend onnx_backend();
/// `opencv:hog`: OpenCV's HOG people detector (hog_detector.cpp).
DetectorRegistry::Backend opencv_backend();

/// `torchscript:PATH`: a TorchScript detection model in torchvision's convention, run with libtorch.
DetectorRegistry::Backend torchscript_backend();

/// `builtin`: the shapes model shipped with edgebench (a TorchScript model found by `builtin_model_path`).
DetectorRegistry::Backend builtin_backend();

/// The shipped model `name` (`shapes-v2`): `$EDGEBENCH_BUILTIN_MODEL` when set, else
/// `<datadir>/edgebench/models/NAME.pt` found relative to the library's folder (installed),
/// `<libdir>/models/NAME.pt` (Python package), then the source tree's `models/`. Throws `Error` listing
/// where it looked.
std::filesystem::path builtin_model_path(const std::string& name);

}  // namespace edgebench::detail
