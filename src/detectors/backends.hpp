#pragma once
// The built-in detector backends; detector_registry.cpp registers each of them.

#include "edgebench/detector.hpp"

namespace edgebench::detail {

/// `none`: detects nothing, for edges that only preprocess and forward.
DetectorRegistry::Backend none_backend();

}  // namespace edgebench::detail
