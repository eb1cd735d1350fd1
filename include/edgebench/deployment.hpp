#pragma once
/// \file
/// Deployment files for running an experiment's configurations outside this machine's runner:
/// docker compose (one compose file per run, one image for every program) and Kubernetes (manifests per
/// run that a user applies to a real cluster with kubectl).
///
/// Layout under `out_dir`:
/// \code
/// compose/Dockerfile                  the edgebench image: Debian 12, scripts/install-deps.sh, built and installed
/// compose/Dockerfile.dockerignore     keeps build folders out of the build context
/// compose/README.md                   how to build the image and run each file
/// compose/<run_id>/docker-compose.yml services cloud, edge-1..N, workload; one network; results/<node>/
/// compose/<run_id>/config/<node>.json each node's settings (also given as EDGEBENCH_* variables)
/// compose/<run_id>/instances.json     the run's images (the workload's dataset)
/// kubernetes/data.yaml                PVC edgebench-data (datasets, models) and a pod to copy files in
/// kubernetes/README.md                labelling edge nodes, loading data, applying, collecting results
/// kubernetes/<run_id>/*.yaml          ConfigMaps, results PVC, Deployments + Services, the workload Job
/// \endcode
/// Links: neither compose nor Kubernetes shapes a container's bandwidth, so each edge emulates its link
/// in-process (EDGEBENCH_BANDWIDTH_MBPS, EDGEBENCH_LATENCY_MS), as the local backend does.

#include <filesystem>
#include <string>
#include <vector>

#include "edgebench/experiment.hpp"

namespace edgebench {

struct DeploymentOptions {
    /// The files go to out_dir/compose and out_dir/kubernetes; synthetic datasets are generated into
    /// out_dir/datasets first.
    std::filesystem::path out_dir;
    /// The container image of every program; empty: "edgebench:<version>".
    std::string image;
    /// The edgebench source tree, the image's build context. Empty: $EDGEBENCH_SOURCE_DIR, else the tree
    /// this library was built from when it is still there.
    std::filesystem::path source_dir;
    /// The port the nodes listen on inside their containers.
    int port = 8080;
    /// Seconds between each node's hardware samples.
    double monitor_period_s = 1.0;
};

struct DeploymentFiles {
    std::filesystem::path directory;             ///< out_dir/compose or out_dir/kubernetes
    std::vector<std::filesystem::path> files;    ///< every file written
    std::vector<std::string> run_ids;            ///< in order, with
    std::vector<std::filesystem::path> run_files;  ///< each run's compose file or manifest folder
    std::vector<std::string> commands;           ///< shell commands that build and run them, in order
    std::vector<std::string> notes;              ///< what a user must know before running them
};

/// Writes the Dockerfile and one docker-compose.yml per run. Throws `Error` (bad output folder, a
/// dataset that cannot be read).
DeploymentFiles write_compose_files(const Experiment& experiment, const DeploymentOptions& options);
/// Writes Kubernetes manifests per run plus the shared data volume. Throws `Error`.
DeploymentFiles write_kubernetes_files(const Experiment& experiment, const DeploymentOptions& options);

/// Whether a Docker engine answers `docker info`; `why` gets the reason when not.
bool docker_engine_available(std::string* why = nullptr);

struct ComposeRunResult {
    std::string run_id;
    int status = -1;                 ///< the workload container's exit status (0: every request answered)
    std::filesystem::path log_file;  ///< docker compose's output
};
/// Builds the image, then runs each run's compose file in turn (`docker compose up
/// --abort-on-container-exit --exit-code-from workload`, then `down`). Needs a Docker engine with the
/// compose plugin. Results stay in compose/<run_id>/results/.
std::vector<ComposeRunResult> run_compose_files(const DeploymentFiles& files, const DeploymentOptions& options);

}  // namespace edgebench
