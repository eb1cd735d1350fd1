#pragma once
/// \file
/// Experiment files: what to measure (dataset, edges with their detector and preprocessing, where
/// detection runs, the network, the workload, thresholds) and the grid of variations, expanded into
/// concrete runs.
///
/// An experiment is a YAML (or JSON) document:
/// \code{.yaml}
/// name: quickstart
/// dataset:
///   synthetic: {count: 48, seed: 7}      # or  coco: {instances: PATH, images: DIR}
/// images: 24                             # per run (default: all); image_seed: S picks them at random
/// repetitions: 1
/// placement: edge                        # edge | cloud | both
/// edges: {count: 1, detector: builtin, preprocess: "quality=90"}   # or a list, one entry per edge
/// cloud: {detector: none}
/// network: {bandwidth_mbps: 0, latency_ms: 0}                       # each edge-cloud link
/// workload: {schedule: closed, concurrency: 1, warmup: 2, format: multipart}   # or round-robin / open
/// thresholds: {iou: 0.5, score: 0.5}
/// backend: local                         # local | netns | compose | kubernetes
/// grid:                                  # every combination of these becomes a run
///   edges.preprocess.quality: [90, 50, 10]
///   edges.preprocess.resize: [100, 50]
///   edges.detector: {permutations: [builtin, "onnx:nanodet:m.onnx"], size: 2}  # ordered pairs, one per edge
/// \endcode
/// Relative paths are relative to the experiment file. Unknown keys, wrong types, empty grids and missing
/// files are errors that name the key and its line.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edgebench/detector.hpp"
#include "edgebench/link_profile.hpp"
#include "edgebench/preprocess_config.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "edgebench/workload.hpp"

namespace edgebench {

enum class Placement { Edge, Cloud, Both };
std::string to_string(Placement placement);

enum class LaunchBackend { Local, Netns, Compose, Kubernetes };
std::string to_string(LaunchBackend backend);

struct DatasetSpec {
    enum class Kind { Synthetic, Coco };
    Kind kind = Kind::Synthetic;
    SyntheticDatasetOptions synthetic;      ///< for Kind::Synthetic
    std::filesystem::path instances;        ///< for Kind::Coco
    std::filesystem::path images;           ///< for Kind::Coco; empty: beside the instances file
    std::string describe() const;           ///< e.g. "synthetic(count=48,seed=7)" or the instances path
    friend bool operator==(const DatasetSpec&, const DatasetSpec&);
};

struct EdgeSpec {
    std::string name;
    std::string detector = "none";
    DetectorOptions detector_options;
    PreprocessConfig preprocess;
    LinkProfile link;
};

struct CloudSpec {
    std::string detector = "none";
    DetectorOptions detector_options;
};

/// How the workload client drives a run (see workload.hpp).
struct WorkloadSpec {
    Schedule schedule = Schedule::closed_loop(1);
    WireFormat format = WireFormat::Multipart;
    std::size_t warmup = 0;  ///< requests per edge sent first and left out of the results
    double timeout_s = 60.0;
};

/// One concrete configuration of an experiment.
struct RunConfig {
    std::string run_id;      ///< "run-0001", ...: stable for a given experiment file
    std::size_t index = 0;   ///< position in the expanded grid, 0-based
    int repetition = 0;
    DatasetSpec dataset;
    std::size_t image_count = 0;              ///< 0: all images of the dataset
    std::optional<std::uint64_t> image_seed;  ///< set: a random subset, else the first image_count
    Placement placement = Placement::Edge;
    std::vector<EdgeSpec> edges;
    CloudSpec cloud;
    WorkloadSpec workload;
    double iou_threshold = 0.5;
    double score_threshold = 0.5;
    LaunchBackend backend = LaunchBackend::Local;
    /// The grid value of each axis for this run, as text, in axis order.
    std::vector<std::pair<std::string, std::string>> axes;

    /// The detector each edge runs (none unless placement is edge or both).
    std::string edge_detector(std::size_t edge) const;
    /// The detector the cloud runs (none unless placement is cloud or both).
    std::string cloud_detector() const;
    /// Every configuration field as (column, value) text pairs, for runs.csv and logs.
    std::vector<std::pair<std::string, std::string>> columns() const;
    /// The whole configuration as JSON.
    std::string to_json() const;
};

class Experiment {
public:
    /// Reads an experiment file (YAML or JSON); throws `Error` naming the key and its line.
    static Experiment load(const std::filesystem::path& file);
    /// Parses experiment text; relative paths are taken relative to `base_dir`.
    static Experiment parse(std::string_view text, const std::filesystem::path& base_dir,
                            const std::string& source = "<experiment>");

    const std::string& name() const noexcept { return name_; }
    /// Every run: the grid expanded, times the repetitions.
    const std::vector<RunConfig>& runs() const noexcept { return runs_; }
    /// The grid's axis names, in order.
    const std::vector<std::string>& axes() const noexcept { return axes_; }
    /// The experiment as it was written (kept in result manifests).
    const std::string& source_text() const noexcept { return text_; }
    const std::string& source() const noexcept { return source_; }

private:
    std::string name_;
    std::vector<RunConfig> runs_;
    std::vector<std::string> axes_;
    std::string text_;
    std::string source_;
};

}  // namespace edgebench
