#pragma once
/// \file
/// The network between an edge and the cloud, as an experiment describes it.

#include <string>

namespace edgebench {

/// Bandwidth and one-way latency of a link. Zero means "not limited" / "no added latency".
struct LinkProfile {
    double bandwidth_mbps = 0;  ///< megabits (10^6 bits) per second
    double latency_ms = 0;      ///< added one-way delay

    bool unlimited() const noexcept { return bandwidth_mbps <= 0 && latency_ms <= 0; }
    /// Throws `Error` naming a negative or non-finite field.
    void validate() const;
    /// e.g. "10mbit+20ms", "unlimited".
    std::string to_string() const;
    friend bool operator==(const LinkProfile&, const LinkProfile&) = default;
};

}  // namespace edgebench
