#pragma once
// Wall-clock and calling-thread CPU time of a stage, so that a request's CPU cost is known without
// sampling (CLOCK_THREAD_CPUTIME_ID counts only this thread's work, not time spent waiting).

#include <time.h>

#include <chrono>

#include "edgebench/infer_protocol.hpp"

namespace edgebench::detail {

inline double thread_cpu_ms() noexcept {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

class StageTimer {
public:
    StageTimer() noexcept { restart(); }
    void restart() noexcept {
        wall_start_ = std::chrono::steady_clock::now();
        cpu_start_ = thread_cpu_ms();
    }
    /// Time since construction or the last restart.
    StageTime elapsed() const noexcept {
        return {std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall_start_).count(),
                thread_cpu_ms() - cpu_start_};
    }
    /// Time since construction or the last lap/restart, and restarts.
    StageTime lap() noexcept {
        const StageTime time = elapsed();
        restart();
        return time;
    }

private:
    std::chrono::steady_clock::time_point wall_start_;
    double cpu_start_ = 0;
};

}  // namespace edgebench::detail
