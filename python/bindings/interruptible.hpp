#pragma once
// Long C++ calls from Python: run the work on a worker thread while the calling (main) thread waits
// without the GIL and checks for Ctrl-C between short waits, since Python runs signal handlers only on
// the main thread. Ctrl-C asks the work to stop through its stop token; the work then returns what it
// has, and the caller sees its result (not an exception). Any other exception raised by a signal handler
// stops the work and is re-raised once it has returned.

#include <chrono>
#include <functional>
#include <future>
#include <stop_token>
#include <thread>

#include <pybind11/pybind11.h>

namespace edgebench::python {

template <typename Result>
Result run_interruptibly(const std::function<Result(std::stop_token)>& work) {
    namespace py = pybind11;
    std::stop_source stop;
    std::promise<Result> promise;
    auto future = promise.get_future();
    std::thread worker([&] {
        try {
            promise.set_value(work(stop.get_token()));
        } catch (...) {
            promise.set_exception(std::current_exception());
        }
    });
    {
        py::gil_scoped_release release;
        while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
            py::gil_scoped_acquire gil;
            if (PyErr_CheckSignals() == 0) continue;
            stop.request_stop();
            if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
                PyErr_Clear();
                continue;
            }
            py::error_already_set raised;
            {
                py::gil_scoped_release wait;
                worker.join();
            }
            throw raised;
        }
        worker.join();
    }
    return future.get();
}

}  // namespace edgebench::python
