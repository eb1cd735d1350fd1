#pragma once
// Wall-clock interval timing in milliseconds on the monotonic clock.

#include <chrono>

namespace edgebench::detail {

class Stopwatch {
public:
    Stopwatch() noexcept : start_(std::chrono::steady_clock::now()) {}
    /// Milliseconds since construction or the last `lap()`, and restarts the interval.
    double lap() noexcept {
        const auto now = std::chrono::steady_clock::now();
        const double ms = std::chrono::duration<double, std::milli>(now - start_).count();
        start_ = now;
        return ms;
    }
    double elapsed_ms() const noexcept {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_;
};

}  // namespace edgebench::detail
