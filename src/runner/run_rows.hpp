#pragma once
// Turns what a run produced (the client's records, which carry each node's answer) into the rows of the
// result set: requests, detections, per-class scores and per-node summaries.

#include <string>
#include <string_view>
#include <vector>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/experiment.hpp"
#include "edgebench/workload.hpp"
#include "runner/result_store.hpp"

namespace edgebench::detail {

struct NodeIdentity {
    std::string name;
    std::string role;      ///< "edge" or "cloud"
    std::string url;       ///< edges: the base URL the client used
    std::string detector;  ///< what the node ran in this run ("none" when nothing)
};

/// Whether a column of RequestLog (a node's record) is left out of requests.csv's node part because the
/// client part of the row already has it (node, run_id, request_id, image_id).
bool client_part_has(std::string_view request_log_column);

/// Fills `rows.requests`, `rows.detections`, `rows.classes` and `rows.summary` for one run. `images` is
/// the dataset the workload used (for the ground truth); `nodes` lists the cloud and the edges.
void build_run_rows(const RunConfig& run, const CocoDataset& images, const WorkloadResult& result,
                    const std::vector<NodeIdentity>& nodes, RunRows& rows);

}  // namespace edgebench::detail
