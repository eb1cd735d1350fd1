#pragma once
/// \file
/// The whole public API of edgebench in one include.

#include "edgebench/category_table.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/coco_results.hpp"
#include "edgebench/detector.hpp"
#include "edgebench/error.hpp"
#include "edgebench/evaluator.hpp"
#include "edgebench/image_info.hpp"
#include "edgebench/preprocess_config.hpp"
#include "edgebench/preprocessor.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "edgebench/types.hpp"
#include "edgebench/version.hpp"
