#pragma once
// One function per area of the API; module.cpp calls them in dependency order.

#include <pybind11/pybind11.h>

namespace edgebench::python {

void bind_core(pybind11::module_& m);
void bind_preprocess(pybind11::module_& m);
void bind_evaluator(pybind11::module_& m);
void bind_runner(pybind11::module_& m);
void bind_deployment(pybind11::module_& m);
void bind_monitor(pybind11::module_& m);
void bind_detector(pybind11::module_& m);
void bind_workload(pybind11::module_& m);
void bind_services(pybind11::module_& m);
void bind_download(pybind11::module_& m);

}  // namespace edgebench::python
