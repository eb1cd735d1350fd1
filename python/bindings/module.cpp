// edgebench._core: the C++ library seen from Python. The `edgebench` package re-exports it.

#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "edgebench/error.hpp"
#include "edgebench/version.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
    m.doc() = "edgebench core: datasets, preprocessing, detection, evaluation and hardware monitoring";
    m.attr("__version__") = edgebench::kVersion;

    // edgebench.Error is a ValueError that also carries `message`, `field` and `file`.
    py::object error_type = py::reinterpret_steal<py::object>(
        PyErr_NewExceptionWithDoc("edgebench._core.Error",
                                  "Bad input or settings; `field` names the offending field and `file` the file.",
                                  PyExc_ValueError, nullptr));
    m.attr("Error") = error_type;
    py::register_exception_translator([](std::exception_ptr pointer) {
        try {
            if (pointer) std::rethrow_exception(pointer);
        } catch (const edgebench::Error& error) {
            py::object type = py::module_::import("edgebench._core").attr("Error");
            py::object instance = type(error.what());
            instance.attr("message") = error.message();
            instance.attr("field") = error.field();
            instance.attr("file") = error.file();
            PyErr_SetObject(type.ptr(), instance.ptr());
        }
    });

    edgebench::python::bind_core(m);
    edgebench::python::bind_preprocess(m);
    edgebench::python::bind_evaluator(m);
    edgebench::python::bind_monitor(m);
    edgebench::python::bind_detector(m);
    edgebench::python::bind_workload(m);
    edgebench::python::bind_runner(m);
    edgebench::python::bind_services(m);
    edgebench::python::bind_download(m);
    edgebench::python::bind_deployment(m);
}
