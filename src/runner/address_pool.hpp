#pragma once
// Private /30 subnets for the netns backend's links, one per link. Subnets are taken from 10.201.0.0/16
// (then 172.31.201.0/24, 192.168.201.0/24) and skip every subnet that overlaps an address or a route the
// root namespace already has (the default route aside), so that a host network is never shadowed.
// Parallel sweeps share the root namespace: the allocator holds an exclusive lock on
// /run/edgebench/netns.lock from its construction until it is destroyed, which its owner does once the
// addresses it took are assigned (and so visible to the next sweep's scan).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "internal/unique_fd.hpp"
#include "runner/netns_tools.hpp"

namespace edgebench::detail {

struct Subnet30 {
    std::uint32_t base = 0;  ///< network address, host order
    /// Host `k` (1 or 2) as dotted text.
    std::string host(int k) const;
    /// Host `k` with the prefix length, e.g. "10.201.0.1/30".
    std::string cidr(int k) const { return host(k) + "/30"; }
};

class AddressAllocator {
public:
    explicit AddressAllocator(const NetnsTools& tools);
    AddressAllocator(const AddressAllocator&) = delete;
    AddressAllocator& operator=(const AddressAllocator&) = delete;

    /// The next free /30; throws `Error` when none is left.
    Subnet30 next();

    /// Parses "a.b.c.d" or "a.b.c.d/n" into (first, last) address, host order; false when not IPv4.
    static bool parse_prefix(const std::string& text, std::pair<std::uint32_t, std::uint32_t>& range);

private:
    bool used(std::uint32_t first, std::uint32_t last) const;
    UniqueFd lock_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> used_;
    std::size_t pool_ = 0;
    std::uint32_t cursor_ = 0;
};

}  // namespace edgebench::detail
