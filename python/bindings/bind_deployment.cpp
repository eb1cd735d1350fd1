// Launch backends seen from Python: compose and Kubernetes files, and the netns backend's host checks.

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "edgebench/deployment.hpp"
#include "edgebench/netns.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {

void bind_deployment(py::module_& m) {
    py::class_<DeploymentFiles>(m, "DeploymentFiles", "Compose files or Kubernetes manifests written for an experiment.")
        .def_readonly("directory", &DeploymentFiles::directory)
        .def_readonly("files", &DeploymentFiles::files)
        .def_readonly("run_ids", &DeploymentFiles::run_ids)
        .def_readonly("run_files", &DeploymentFiles::run_files)
        .def_readonly("commands", &DeploymentFiles::commands)
        .def_readonly("notes", &DeploymentFiles::notes);

    auto options = [](const std::filesystem::path& out, const std::string& image, const std::filesystem::path& source,
                      int port, double monitor_period) {
        DeploymentOptions o;
        o.out_dir = out;
        o.image = image;
        o.source_dir = source;
        o.port = port;
        o.monitor_period_s = monitor_period;
        return o;
    };
    m.def(
        "write_compose_files",
        [options](const Experiment& experiment, const std::filesystem::path& out, const std::string& image,
                  const std::filesystem::path& source, int port, double monitor_period) {
            return write_compose_files(experiment, options(out, image, source, port, monitor_period));
        },
        "experiment"_a, "out"_a, "image"_a = "", "source"_a = std::filesystem::path(), "port"_a = 8080,
        "monitor_period"_a = 1.0,
        "Write out/compose/Dockerfile and a docker-compose.yml per run; returns what was written and the commands "
        "that build and run it.");
    m.def(
        "write_kubernetes_files",
        [options](const Experiment& experiment, const std::filesystem::path& out, const std::string& image, int port,
                  double monitor_period) {
            return write_kubernetes_files(experiment, options(out, image, {}, port, monitor_period));
        },
        "experiment"_a, "out"_a, "image"_a = "", "port"_a = 8080, "monitor_period"_a = 1.0,
        "Write Kubernetes manifests per run under out/kubernetes; returns what was written and the kubectl commands.");
    py::class_<ComposeRunResult>(m, "ComposeRunResult", "How one run's compose file ran.")
        .def_readonly("run_id", &ComposeRunResult::run_id)
        .def_readonly("status", &ComposeRunResult::status)
        .def_readonly("log_file", &ComposeRunResult::log_file)
        .def("__repr__", [](const ComposeRunResult& r) {
            return "<ComposeRunResult " + r.run_id + " status=" + std::to_string(r.status) + ">";
        });
    m.def(
        "run_compose_files",
        [options](const DeploymentFiles& files, const std::filesystem::path& out, const std::string& image,
                  const std::filesystem::path& source, int port, double monitor_period) {
            const auto settings = options(out, image, source, port, monitor_period);
            const py::gil_scoped_release release;
            return run_compose_files(files, settings);
        },
        "files"_a, "out"_a, "image"_a = "", "source"_a = std::filesystem::path(), "port"_a = 8080,
        "monitor_period"_a = 1.0,
        "Build the image and run each run's compose file in turn (needs a Docker engine with the compose "
        "plugin); results stay in out/compose/<run_id>/results/.");
    m.def(
        "docker_engine_available",
        [] {
            std::string why;
            const bool available = docker_engine_available(&why);
            return py::make_tuple(available, why);
        },
        "(available, reason): whether a Docker engine answers `docker info`.");

    py::class_<NetnsSupport>(m, "NetnsSupport", "Whether this host can run the netns backend.")
        .def_readonly("available", &NetnsSupport::available)
        .def_readonly("reason", &NetnsSupport::reason)
        .def_readonly("netem", &NetnsSupport::netem)
        .def_readonly("netem_reason", &NetnsSupport::netem_reason)
        .def_readonly("bandwidth_qdisc", &NetnsSupport::bandwidth_qdisc)
        .def_readonly("bandwidth_reason", &NetnsSupport::bandwidth_reason);
    m.def("probe_netns_support", &probe_netns_support,
          "Check root, iproute2 and network namespaces (with a probe namespace) and which tc qdiscs exist.");
    py::class_<NetnsCleanupReport>(m, "NetnsCleanupReport", "What a netns cleanup removed, kept and could not remove.")
        .def_readonly("removed", &NetnsCleanupReport::removed)
        .def_readonly("kept", &NetnsCleanupReport::kept)
        .def_readonly("errors", &NetnsCleanupReport::errors);
    m.def("cleanup_netns", &cleanup_netns, "out"_a, "force"_a = false,
          "Remove what the netns sweep with results in `out` left behind (after its runner was killed).");
    m.def("cleanup_all_netns", &cleanup_all_netns, "force"_a = false,
          "Remove every edgebench namespace and link on this host, except those of running sweeps unless force.");
}

}  // namespace edgebench::python
