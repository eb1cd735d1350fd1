#include "services/link_shaper.hpp"

#include <cmath>
#include <thread>

#include "edgebench/error.hpp"

namespace edgebench {

void LinkProfile::validate() const {
    if (!std::isfinite(bandwidth_mbps) || bandwidth_mbps < 0) throw Error("must be 0 (unlimited) or positive", "bandwidth_mbps");
    if (!std::isfinite(latency_ms) || latency_ms < 0) throw Error("must be 0 or positive", "latency_ms");
}

std::string LinkProfile::to_string() const {
    if (unlimited()) return "unlimited";
    std::string text;
    auto format = [](double value) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%g", value);
        return std::string(buffer);
    };
    if (bandwidth_mbps > 0) text += format(bandwidth_mbps) + "mbit";
    if (latency_ms > 0) {
        if (!text.empty()) text += '+';
        text += format(latency_ms) + "ms";
    }
    return text;
}

namespace detail {

double LinkShaper::transmit(std::size_t bytes) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    clock::time_point arrival = start;
    if (profile_.bandwidth_mbps > 0) {
        const auto duration = std::chrono::duration_cast<clock::duration>(
            std::chrono::duration<double>(static_cast<double>(bytes) * 8.0 / (profile_.bandwidth_mbps * 1e6)));
        std::lock_guard lock(mutex_);
        const auto begin = std::max(start, link_free_at_);
        link_free_at_ = begin + duration;
        arrival = link_free_at_;
    }
    arrival += std::chrono::duration_cast<clock::duration>(std::chrono::duration<double, std::milli>(profile_.latency_ms));
    std::this_thread::sleep_until(arrival);
    return std::chrono::duration<double, std::milli>(clock::now() - start).count();
}

}  // namespace detail
}  // namespace edgebench
