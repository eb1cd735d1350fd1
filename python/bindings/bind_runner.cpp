// Experiments and the sweep runner.

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "edgebench/experiment.hpp"
#include "edgebench/runner.hpp"
#include "interruptible.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {

void bind_runner(py::module_& m) {
    py::enum_<Placement>(m, "Placement", "Where detection runs.")
        .value("EDGE", Placement::Edge)
        .value("CLOUD", Placement::Cloud)
        .value("BOTH", Placement::Both);
    py::enum_<LaunchBackend>(m, "LaunchBackend", "Where the nodes of a run are started.")
        .value("LOCAL", LaunchBackend::Local)
        .value("NETNS", LaunchBackend::Netns)
        .value("COMPOSE", LaunchBackend::Compose)
        .value("KUBERNETES", LaunchBackend::Kubernetes);

    py::class_<LinkProfile>(m, "LinkProfile", "Bandwidth (Mbit/s, 0: unlimited) and added latency (ms) of a link.")
        .def(py::init([](double bandwidth_mbps, double latency_ms) {
                 LinkProfile link{bandwidth_mbps, latency_ms};
                 link.validate();
                 return link;
             }),
             "bandwidth_mbps"_a = 0.0, "latency_ms"_a = 0.0)
        .def_readwrite("bandwidth_mbps", &LinkProfile::bandwidth_mbps)
        .def_readwrite("latency_ms", &LinkProfile::latency_ms)
        .def("__str__", &LinkProfile::to_string);

    py::class_<DatasetSpec>(m, "DatasetSpec", "The dataset of a run: synthetic or a COCO file.")
        .def_property_readonly("kind", [](const DatasetSpec& d) { return d.kind == DatasetSpec::Kind::Coco ? "coco" : "synthetic"; })
        .def_readonly("synthetic", &DatasetSpec::synthetic)
        .def_readonly("instances", &DatasetSpec::instances)
        .def_readonly("images", &DatasetSpec::images)
        .def("describe", &DatasetSpec::describe);
    py::class_<EdgeSpec>(m, "EdgeSpec", "One edge of a run.")
        .def_readonly("name", &EdgeSpec::name)
        .def_readonly("detector", &EdgeSpec::detector)
        .def_readonly("detector_options", &EdgeSpec::detector_options)
        .def_readonly("preprocess", &EdgeSpec::preprocess)
        .def_readonly("link", &EdgeSpec::link);
    py::class_<CloudSpec>(m, "CloudSpec", "The cloud of a run.")
        .def_readonly("detector", &CloudSpec::detector)
        .def_readonly("detector_options", &CloudSpec::detector_options);
    py::class_<WorkloadSpec>(m, "WorkloadSpec", "How the workload client drives a run.")
        .def_readonly("schedule", &WorkloadSpec::schedule)
        .def_readonly("format", &WorkloadSpec::format)
        .def_readonly("warmup", &WorkloadSpec::warmup)
        .def_readonly("timeout_s", &WorkloadSpec::timeout_s);
    py::class_<RunConfig>(m, "RunConfig", "One concrete configuration of an experiment.")
        .def_readonly("run_id", &RunConfig::run_id)
        .def_readonly("index", &RunConfig::index)
        .def_readonly("repetition", &RunConfig::repetition)
        .def_readonly("dataset", &RunConfig::dataset)
        .def_readonly("image_count", &RunConfig::image_count)
        .def_readonly("image_seed", &RunConfig::image_seed)
        .def_readonly("placement", &RunConfig::placement)
        .def_readonly("edges", &RunConfig::edges)
        .def_readonly("cloud", &RunConfig::cloud)
        .def_readonly("workload", &RunConfig::workload)
        .def_readonly("iou_threshold", &RunConfig::iou_threshold)
        .def_readonly("score_threshold", &RunConfig::score_threshold)
        .def_readonly("backend", &RunConfig::backend)
        .def_readonly("axes", &RunConfig::axes)
        .def("columns", [](const RunConfig& r) {
            py::dict d;
            for (const auto& [name, value] : r.columns()) d[py::str(name)] = value;
            return d;
        }, "Every configuration field as text, as runs.csv has them.")
        .def("to_json", &RunConfig::to_json)
        .def("__repr__", [](const RunConfig& r) { return "RunConfig('" + r.run_id + "')"; });

    py::class_<Experiment>(m, "Experiment", R"doc(An experiment file: a base configuration and a grid, expanded into runs.

Experiment.load(path) reads YAML or JSON; Experiment.parse(text, base_dir) reads text (relative paths are
taken relative to base_dir). Errors name the key and its line.)doc")
        .def_static("load", &Experiment::load, "path"_a)
        .def_static("parse", &Experiment::parse, "text"_a, "base_dir"_a = std::filesystem::path("."),
                    "source"_a = "<experiment>")
        .def_property_readonly("name", &Experiment::name)
        .def_property_readonly("runs", &Experiment::runs, py::return_value_policy::copy)
        .def_property_readonly("axes", &Experiment::axes)
        .def_property_readonly("source_text", &Experiment::source_text)
        .def("__len__", [](const Experiment& e) { return e.runs().size(); })
        .def("__repr__", [](const Experiment& e) {
            return "Experiment('" + e.name() + "', " + std::to_string(e.runs().size()) + " runs)";
        });

    py::enum_<SweepProgress::Phase>(m, "SweepPhase")
        .value("STARTING", SweepProgress::Phase::Starting)
        .value("RUNNING", SweepProgress::Phase::Running)
        .value("RUN_FINISHED", SweepProgress::Phase::RunFinished)
        .value("RUN_FAILED", SweepProgress::Phase::RunFailed)
        .value("RUN_SKIPPED", SweepProgress::Phase::RunSkipped)
        .value("FINISHED", SweepProgress::Phase::Finished);
    py::class_<SweepProgress>(m, "SweepProgress", "Where a sweep stands.")
        .def_readonly("phase", &SweepProgress::phase)
        .def_readonly("run_number", &SweepProgress::run_number)
        .def_readonly("run_count", &SweepProgress::run_count)
        .def_readonly("run_id", &SweepProgress::run_id)
        .def_readonly("requests_done", &SweepProgress::requests_done)
        .def_readonly("requests_planned", &SweepProgress::requests_planned)
        .def_readonly("elapsed_s", &SweepProgress::elapsed_s)
        .def_readonly("eta_s", &SweepProgress::eta_s)
        .def_readonly("message", &SweepProgress::message);
    py::class_<SweepResult>(m, "SweepResult", "What a sweep did.")
        .def_readonly("runs", &SweepResult::runs)
        .def_readonly("finished", &SweepResult::finished)
        .def_readonly("failed", &SweepResult::failed)
        .def_readonly("skipped", &SweepResult::skipped)
        .def_readonly("interrupted", &SweepResult::interrupted)
        .def_readonly("wall_s", &SweepResult::wall_s)
        .def_readonly("max_gap_s", &SweepResult::max_gap_s)
        .def_readonly("mean_gap_s", &SweepResult::mean_gap_s)
        .def_readonly("out_dir", &SweepResult::out_dir)
        .def("__repr__", [](const SweepResult& r) {
            return "SweepResult(runs=" + std::to_string(r.runs) + ", finished=" + std::to_string(r.finished) +
                   ", failed=" + std::to_string(r.failed) + ", skipped=" + std::to_string(r.skipped) +
                   (r.interrupted ? ", interrupted" : "") + ")";
        });

    m.def("run_experiment",
          [](const Experiment& experiment, const std::filesystem::path& out_dir, bool resume, double monitor_period,
             const std::function<void(const SweepProgress&)>& on_progress) {
              return run_interruptibly<SweepResult>([&](std::stop_token stop) {
                  RunnerOptions options;
                  options.out_dir = out_dir;
                  options.resume = resume;
                  options.monitor_period_s = monitor_period;
                  options.stop = stop;
                  if (on_progress) {
                      options.on_progress = [&](const SweepProgress& progress) {
                          py::gil_scoped_acquire gil;
                          on_progress(progress);
                      };
                  }
                  return run_experiment(experiment, options);
              });
          },
          "experiment"_a, "out_dir"_a, "resume"_a = false, "monitor_period"_a = 1.0, "on_progress"_a = nullptr,
          "Run every configuration and write the result set; Ctrl-C stops cleanly (resume with resume=True).");
    m.def("summary_table", &summary_table, "result_dir"_a, "One text line per run and node of a result set.");
}

}  // namespace edgebench::python
