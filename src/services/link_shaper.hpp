#pragma once
// Emulates a link's bandwidth and latency inside the sending process, for hosts where the kernel cannot
// (no netem here) or the experiment runs on loopback. Sends share the link first-in first-out: a send
// waits for the link to be free, occupies it for bytes / bandwidth, then the data arrives `latency` later.

#include <chrono>
#include <mutex>

#include "edgebench/link_profile.hpp"

namespace edgebench::detail {

class LinkShaper {
public:
    explicit LinkShaper(LinkProfile profile) : profile_(profile) {}

    /// Blocks the calling thread as long as sending `bytes` over the link would take; returns the delay
    /// in milliseconds.
    double transmit(std::size_t bytes);
    const LinkProfile& profile() const noexcept { return profile_; }

private:
    LinkProfile profile_;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point link_free_at_{};
};

}  // namespace edgebench::detail
