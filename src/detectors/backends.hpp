#pragma once
// The built-in detector backends; detector_registry.cpp registers each of them.

#include "edgebench/detector.hpp"

namespace edgebench::detail {

/// `none`: detects nothing, for edges that only preprocess and forward.
DetectorRegistry::Backend none_backend();
/// `onnx:FAMILY[@SIZE]:PATH`: ONNX models through OpenCV DNN (onnx_detector.cpp).
DetectorRegistry::Backend onnx_backend();
/// `opencv:hog`: OpenCV's HOG people detector (hog_detector.cpp).
DetectorRegistry::Backend opencv_backend();

}  // namespace edgebench::detail
