// HwMonitor, its samples and issues, the CSV layout, and StageClock.

#include <chrono>
#include <cmath>
#include <string>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "edgebench/error.hpp"
#include "edgebench/hw_csv.hpp"
#include "edgebench/hw_monitor.hpp"
#include "edgebench/stage_clock.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {
namespace {

// One sample as hw.csv has it: the same keys in the same order, None for nulls.
py::dict sample_dict(const HwSample& s) {
    return py::dict("time_unix_s"_a = s.time_unix_s, "mono_s"_a = s.mono_s, "node"_a = s.node, "seq"_a = s.seq,
                    "interval_s"_a = s.interval_s, "pid"_a = s.pid, "processes"_a = s.processes,
                    "threads"_a = s.threads, "cpu_user_s"_a = s.cpu_user_s, "cpu_system_s"_a = s.cpu_system_s,
                    "cpu_util_pct"_a = s.cpu_util_pct, "rss_bytes"_a = s.rss_bytes,
                    "rss_peak_bytes"_a = s.rss_peak_bytes, "cycles"_a = s.cycles, "instructions"_a = s.instructions,
                    "host_cpu_util_pct"_a = s.host_cpu_util_pct, "host_mem_total_bytes"_a = s.host_mem_total_bytes,
                    "host_mem_used_bytes"_a = s.host_mem_used_bytes,
                    "host_mem_available_bytes"_a = s.host_mem_available_bytes, "net_rx_bytes"_a = s.net_rx_bytes,
                    "net_tx_bytes"_a = s.net_tx_bytes, "net_rx_packets"_a = s.net_rx_packets,
                    "net_tx_packets"_a = s.net_tx_packets, "gpu_count"_a = s.gpu_count,
                    "gpu_mem_used_bytes"_a = s.gpu_mem_used_bytes, "gpu_mem_total_bytes"_a = s.gpu_mem_total_bytes,
                    "gpu_util_pct"_a = s.gpu_util_pct, "monitor_cpu_s"_a = s.monitor_cpu_s);
}

// pandas reads the CSV text that the sink would write, so that a DataFrame made in memory has exactly
// the dtypes of one read from hw.csv.
py::object read_csv_text(const std::string& text) {
    py::object pandas = py::module_::import("pandas");
    py::object io = py::module_::import("io");
    return pandas.attr("read_csv")(io.attr("StringIO")(text));
}

std::unique_ptr<HwMonitor> make_monitor(double period, const std::string& node, std::optional<int> pid, bool tree,
                                        bool perf, bool gpu, std::optional<std::size_t> keep_samples,
                                        std::optional<std::filesystem::path> csv,
                                        std::optional<std::filesystem::path> net_csv, bool append) {
    HwMonitorOptions options;
    if (!std::isfinite(period)) throw Error("must be a number of seconds", "period");
    options.period = std::chrono::microseconds(static_cast<long long>(std::llround(period * 1e6)));
    options.node = node;
    if (pid) options.target = tree ? HwTarget::tree(*pid) : HwTarget::process(*pid);
    else if (tree) throw Error("tree=True needs a pid", "tree");
    options.perf = perf;
    options.gpu = gpu;
    if (keep_samples) options.keep_samples = *keep_samples;
    auto monitor = std::make_unique<HwMonitor>(options);
    if (net_csv && !csv) throw Error("net_csv needs csv as well", "net_csv");
    if (csv) monitor->write_csv(*csv, net_csv.value_or(std::filesystem::path()), append);
    return monitor;
}

void bind_samples(py::module_& m) {
    py::class_<HwNetInterface>(m, "HwNetInterface", "One interface's traffic over a sample's interval.")
        .def_readonly("name", &HwNetInterface::name)
        .def_readonly("rx_bytes", &HwNetInterface::rx_bytes)
        .def_readonly("tx_bytes", &HwNetInterface::tx_bytes)
        .def_readonly("rx_packets", &HwNetInterface::rx_packets)
        .def_readonly("tx_packets", &HwNetInterface::tx_packets)
        .def("__repr__", [](const HwNetInterface& i) {
            return "HwNetInterface('" + i.name + "', rx_bytes=" + std::to_string(i.rx_bytes) +
                   ", tx_bytes=" + std::to_string(i.tx_bytes) + ")";
        });

    py::class_<HwGpu>(m, "HwGpu", "One GPU as NVML reports it.")
        .def_readonly("index", &HwGpu::index)
        .def_readonly("mem_used_bytes", &HwGpu::mem_used_bytes)
        .def_readonly("mem_total_bytes", &HwGpu::mem_total_bytes)
        .def_readonly("util_pct", &HwGpu::util_pct);

    py::class_<HwSample>(m, "HwSample", R"doc(One hardware sample; fields that could not be read are None.

Cumulative figures (cpu_user_s, cpu_system_s) count since the process started; interval figures
(cpu_util_pct, cycles, instructions, host_cpu_util_pct, net_*) cover the interval_s before mono_s.
to_dict() has the columns of hw.csv.)doc")
        .def_readonly("time_unix_s", &HwSample::time_unix_s)
        .def_readonly("mono_s", &HwSample::mono_s)
        .def_readonly("node", &HwSample::node)
        .def_readonly("seq", &HwSample::seq)
        .def_readonly("interval_s", &HwSample::interval_s)
        .def_readonly("pid", &HwSample::pid)
        .def_readonly("processes", &HwSample::processes)
        .def_readonly("threads", &HwSample::threads)
        .def_readonly("cpu_user_s", &HwSample::cpu_user_s)
        .def_readonly("cpu_system_s", &HwSample::cpu_system_s)
        .def_readonly("cpu_util_pct", &HwSample::cpu_util_pct)
        .def_readonly("rss_bytes", &HwSample::rss_bytes)
        .def_readonly("rss_peak_bytes", &HwSample::rss_peak_bytes)
        .def_readonly("cycles", &HwSample::cycles)
        .def_readonly("instructions", &HwSample::instructions)
        .def_readonly("host_cpu_util_pct", &HwSample::host_cpu_util_pct)
        .def_readonly("host_mem_total_bytes", &HwSample::host_mem_total_bytes)
        .def_readonly("host_mem_used_bytes", &HwSample::host_mem_used_bytes)
        .def_readonly("host_mem_available_bytes", &HwSample::host_mem_available_bytes)
        .def_readonly("net_rx_bytes", &HwSample::net_rx_bytes)
        .def_readonly("net_tx_bytes", &HwSample::net_tx_bytes)
        .def_readonly("net_rx_packets", &HwSample::net_rx_packets)
        .def_readonly("net_tx_packets", &HwSample::net_tx_packets)
        .def_readonly("interfaces", &HwSample::interfaces)
        .def_readonly("gpu_count", &HwSample::gpu_count)
        .def_readonly("gpu_mem_used_bytes", &HwSample::gpu_mem_used_bytes)
        .def_readonly("gpu_mem_total_bytes", &HwSample::gpu_mem_total_bytes)
        .def_readonly("gpu_util_pct", &HwSample::gpu_util_pct)
        .def_readonly("gpus", &HwSample::gpus)
        .def_readonly("monitor_cpu_s", &HwSample::monitor_cpu_s)
        .def("to_dict", &sample_dict)
        .def("__repr__", [](const HwSample& s) {
            return "HwSample(node='" + s.node + "', seq=" + std::to_string(s.seq) + ", interval_s=" +
                   std::to_string(s.interval_s) + ")";
        });

    py::class_<HwIssue>(m, "HwIssue", "A field that could not be read and why, with how often it happened.")
        .def_readonly("field", &HwIssue::field)
        .def_readonly("reason", &HwIssue::reason)
        .def_readonly("first_mono_s", &HwIssue::first_mono_s)
        .def_readonly("last_mono_s", &HwIssue::last_mono_s)
        .def_readonly("count", &HwIssue::count)
        .def("__repr__", [](const HwIssue& i) {
            return "HwIssue('" + i.field + "', '" + i.reason + "', count=" + std::to_string(i.count) + ")";
        });

    m.def("hw_csv_columns", &hw_csv_columns, "Column names of hw.csv, in order.");
    m.def("hw_net_csv_columns", &hw_net_csv_columns, "Column names of the per-interface CSV, in order.");
    m.def("hw_csv_header", &hw_csv_header, "The header line of hw.csv, with its newline.");
    m.def("hw_csv_row", &hw_csv_row, "sample"_a, "One hw.csv row for a sample, with its newline.");
    m.def("hw_net_csv_header", &hw_net_csv_header, "The header line of the per-interface CSV.");
    m.def("hw_net_csv_rows", &hw_net_csv_rows, "sample"_a, "One per-interface row per interface of a sample.");

    py::class_<HwCsvSink>(m, "HwCsvSink", R"doc(Appends samples to hw.csv (and the per-interface CSV), one write per row.

HwCsvSink(file, net_file=None, append=False): the header is written once, when the file is empty; a file
with other columns is an Error. Several processes may append to one file without tearing rows.)doc")
        .def(py::init([](const std::filesystem::path& file, std::optional<std::filesystem::path> net_file, bool append) {
                 return HwCsvSink(file, net_file.value_or(std::filesystem::path()), append);
             }),
             "file"_a, "net_file"_a = py::none(), "append"_a = false)
        .def("write", &HwCsvSink::write, "sample"_a, "Write the sample's row(s).")
        .def("__call__", &HwCsvSink::write, "sample"_a)
        .def_property_readonly("file", &HwCsvSink::file);
}

void bind_hw_monitor(py::module_& m) {
    py::class_<HwMonitor>(m, "HwMonitor", R"doc(Samples hardware counters on a background thread.

HwMonitor(period=1.0, node='', pid=None, tree=False, perf=True, gpu=True, keep_samples=None,
          csv=None, net_csv=None, append=False)
  period        seconds between samples, 0.01 to 3600
  node          name in every sample (default: the host name)
  pid, tree     monitor another process (and, with tree=True, its descendants) instead of this one
  perf, gpu     read CPU cycles/instructions (perf_event_open) and GPUs (NVML) where possible
  keep_samples  how many of the latest samples to keep in memory (None: all)
  csv, net_csv  append rows to these files as samples are taken (hw.csv columns; per interface)

    with edgebench.HwMonitor(period=0.1) as mon:
        work()
    mon.to_dataframe()

stop() takes a last sample for the partial interval. Fields that cannot be read are None and
mon.reasons() says why.)doc")
        .def(py::init(&make_monitor), "period"_a = 1.0, "node"_a = "", "pid"_a = py::none(), "tree"_a = false,
             "perf"_a = true, "gpu"_a = true, "keep_samples"_a = py::none(), "csv"_a = py::none(),
             "net_csv"_a = py::none(), "append"_a = false)
        .def("start", &HwMonitor::start, py::call_guard<py::gil_scoped_release>())
        .def("stop", &HwMonitor::stop, py::call_guard<py::gil_scoped_release>(),
             "Stops after a last sample for the partial interval (returns within one period).")
        .def_property_readonly("running", &HwMonitor::running)
        .def_property_readonly("period", [](const HwMonitor& h) {
            return std::chrono::duration<double>(h.options().period).count();
        })
        .def_property_readonly("node", [](const HwMonitor& h) { return h.options().node; })
        .def("snapshot", &HwMonitor::snapshot, py::call_guard<py::gil_scoped_release>(),
             "Reads every field now; the interval is the time since the last sample. Goes to no sink.")
        .def("samples", &HwMonitor::samples, "The samples kept in memory, oldest first.")
        .def("take_samples", &HwMonitor::take_samples, "The kept samples, forgetting them (a queue).")
        .def_property_readonly("sample_count", &HwMonitor::sample_count)
        .def("issues", &HwMonitor::issues)
        .def("reasons", &HwMonitor::reasons, "{field: why it was null the last time it was}")
        .def("reason", &HwMonitor::reason, "field"_a)
        .def("to_dicts", [](const HwMonitor& h) {
            py::list rows;
            for (const auto& s : h.samples()) rows.append(sample_dict(s));
            return rows;
        }, "The kept samples as dicts with the keys of hw.csv.")
        .def("to_dataframe", [](const HwMonitor& h) {
            std::string text = hw_csv_header();
            for (const auto& s : h.samples()) text += hw_csv_row(s);
            return read_csv_text(text);
        }, "The kept samples as a pandas DataFrame with the columns and dtypes of hw.csv.")
        .def("net_dataframe", [](const HwMonitor& h) {
            std::string text = hw_net_csv_header();
            for (const auto& s : h.samples()) text += hw_net_csv_rows(s);
            return read_csv_text(text);
        }, "Per-interface traffic of the kept samples (one row per sample and interface).")
        .def("__enter__", [](HwMonitor& h) -> HwMonitor& {
            {
                py::gil_scoped_release release;
                h.start();
            }
            return h;
        }, py::return_value_policy::reference)
        .def("__exit__", [](HwMonitor& h, const py::args&) {
            py::gil_scoped_release release;
            h.stop();
            return false;
        });
}

void bind_stage_clock(py::module_& m) {
    py::class_<StageTime>(m, "StageTime", "One stage's wall and thread-CPU milliseconds.")
        .def_property_readonly("name", [](const StageTime& t) { return std::string(t.name()); })
        .def_readonly("wall_ms", &StageTime::wall_ms)
        .def_readonly("cpu_ms", &StageTime::cpu_ms)
        .def_readonly("count", &StageTime::count)
        .def("__repr__", [](const StageTime& t) {
            return "StageTime('" + std::string(t.name()) + "', wall_ms=" + std::to_string(t.wall_ms) +
                   ", cpu_ms=" + std::to_string(t.cpu_ms) + ")";
        });

    py::class_<StageClock>(m, "StageClock", R"doc(Per-request stage timing: wall and this thread's CPU milliseconds.

    clock = edgebench.StageClock()   # starts now
    decode(); clock.lap("decode")
    detect(); clock.lap("inference")
    clock.to_dict()  # {'decode': {'wall_ms': ..., 'cpu_ms': ..., 'count': 1}, ...}

CPU time is that of the thread that calls lap(); use one clock per thread.)doc")
        .def(py::init<>())
        .def("restart", &StageClock::restart)
        .def("lap", &StageClock::lap, "name"_a, "Ends the current stage under `name`; returns its wall ms.")
        .def("skip", &StageClock::skip, "Ends the current stage without recording it.")
        .def("stages", [](const StageClock& c) {
            return std::vector<StageTime>(c.stages().begin(), c.stages().end());
        })
        .def("find", &StageClock::find, "name"_a)
        .def_property_readonly("dropped", &StageClock::dropped)
        .def_property_readonly("elapsed_wall_ms", &StageClock::elapsed_wall_ms)
        .def_property_readonly("elapsed_cpu_ms", &StageClock::elapsed_cpu_ms)
        .def_property_readonly("start_mono_s", &StageClock::start_mono_s)
        .def_property_readonly("start_unix_s", &StageClock::start_unix_s)
        .def("to_dict", [](const StageClock& c) {
            py::dict result;
            for (const auto& t : c.stages()) {
                result[py::str(std::string(t.name()))] =
                    py::dict("wall_ms"_a = t.wall_ms, "cpu_ms"_a = t.cpu_ms, "count"_a = t.count);
            }
            return result;
        });
}

}  // namespace

void bind_monitor(py::module_& m) {
    bind_samples(m);
    bind_hw_monitor(m);
    bind_stage_clock(m);
}

}  // namespace edgebench::python
