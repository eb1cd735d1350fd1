#include "runner/address_pool.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "edgebench/error.hpp"

namespace edgebench::detail {
namespace {

struct Pool {
    const char* prefix;
};
constexpr std::array<Pool, 3> kPools = {{{"10.201.0.0/16"}, {"172.31.201.0/24"}, {"192.168.201.0/24"}}};

// Route types that come before the destination in `ip route` output.
bool is_route_type(const std::string& word) {
    for (const char* type : {"unicast", "local", "broadcast", "multicast", "anycast", "unreachable", "blackhole",
                             "prohibit", "throw", "nat"}) {
        if (word == type) return true;
    }
    return false;
}

}  // namespace

std::string Subnet30::host(int k) const {
    in_addr address{};
    address.s_addr = htonl(base + static_cast<std::uint32_t>(k));
    char text[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &address, text, sizeof text);
    return text;
}

bool AddressAllocator::parse_prefix(const std::string& text, std::pair<std::uint32_t, std::uint32_t>& range) {
    const auto slash = text.find('/');
    const std::string address = text.substr(0, slash);
    int length = 32;
    if (slash != std::string::npos) {
        char* end = nullptr;
        length = static_cast<int>(std::strtol(text.c_str() + slash + 1, &end, 10));
        if (!end || *end != '\0' || length < 0 || length > 32) return false;
    }
    in_addr parsed{};
    if (::inet_pton(AF_INET, address.c_str(), &parsed) != 1) return false;
    const std::uint32_t value = ntohl(parsed.s_addr);
    const std::uint32_t mask = length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
    range = {value & mask, (value & mask) | ~mask};
    return true;
}

AddressAllocator::AddressAllocator(const NetnsTools& tools) {
    std::error_code ec;
    std::filesystem::create_directories("/run/edgebench", ec);
    lock_ = UniqueFd(::open("/run/edgebench/netns.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!lock_) throw Error(std::string("cannot open /run/edgebench/netns.lock: ") + std::strerror(errno), "backend");
    while (::flock(lock_.get(), LOCK_EX) != 0) {
        if (errno != EINTR) throw Error(std::string("cannot lock /run/edgebench/netns.lock: ") + std::strerror(errno), "backend");
    }
    std::pair<std::uint32_t, std::uint32_t> range;
    // Addresses of the root namespace: "2: eth0    inet 192.0.2.2/24 brd ...".
    std::istringstream addresses(tools.ip_run({"-4", "-o", "addr", "show"}));
    std::string word;
    while (addresses >> word) {
        if (word == "inet" && addresses >> word && parse_prefix(word, range)) used_.push_back(range);
    }
    // Routes of every table: "[TYPE] PREFIX ..."; the default route covers everything and is not a clash.
    std::istringstream routes(tools.ip_run({"-4", "route", "show", "table", "all"}));
    std::string line;
    while (std::getline(routes, line)) {
        std::istringstream words(line);
        std::string destination;
        words >> destination;
        if (is_route_type(destination)) words >> destination;
        if (destination == "default" || destination.empty()) continue;
        if (parse_prefix(destination, range)) used_.push_back(range);
    }
}

bool AddressAllocator::used(std::uint32_t first, std::uint32_t last) const {
    for (const auto& [from, to] : used_) {
        if (first <= to && from <= last) return true;
    }
    return false;
}

Subnet30 AddressAllocator::next() {
    for (; pool_ < kPools.size(); ++pool_, cursor_ = 0) {
        std::pair<std::uint32_t, std::uint32_t> pool;
        parse_prefix(kPools[pool_].prefix, pool);
        if (cursor_ == 0) cursor_ = pool.first;
        while (cursor_ + 3 <= pool.second && cursor_ >= pool.first) {
            const std::uint32_t first = cursor_;
            cursor_ += 4;
            if (used(first, first + 3)) continue;
            used_.emplace_back(first, first + 3);
            return Subnet30{first};
        }
    }
    throw Error("no free private /30 subnet left for netns links (tried 10.201.0.0/16, 172.31.201.0/24, "
                "192.168.201.0/24); remove stale links with `edgebench netns cleanup --all`",
                "backend");
}

}  // namespace edgebench::detail
