// Node configurations as PUT /v1/config sends them (EdgeConfig::merge_json, CloudConfig::merge_json).
// A merge either fails with `Error` and leaves the configuration as it was, or gives a valid configuration
// that holds exactly the values given (nothing silently wrapped or clamped) and whose JSON form merges back
// into the same configuration.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "edgebench/cloud_service.hpp"
#include "edgebench/edge_service.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace edgebench;
using nlohmann::json;

// Every number and string the input gave (except the secret token and the preprocessing, which is
// normalised) must be what the configuration now holds.
void check_values_kept(const json& given, const json& now, const char* what) {
    if (!given.is_object()) return;
    for (auto it = given.begin(); it != given.end(); ++it) {
        if (it.key() == "cloud_token" || it.key() == "preprocess" || it.value().is_null()) continue;
        fuzz::check(now.contains(it.key()), what);
        if (it.value().is_object()) {
            check_values_kept(it.value(), now[it.key()], what);
        } else {
            fuzz::check(it.value() == now[it.key()], what);
        }
    }
}

template <class Config>
void merge(std::string_view text, const char* kept, const char* round_trip) {
    Config config;
    const std::string before = config.to_json();
    const bool merged = fuzz::expect_errors_only([&] { config.merge_json(text); });
    if (!merged) {
        fuzz::check(config.to_json() == before, "a failed merge changed the configuration");
        return;
    }
    config.validate();
    check_values_kept(json::parse(text), json::parse(config.to_json()), kept);
    Config again;
    again.merge_json(config.to_json());
    fuzz::check(again.to_json() == config.to_json(), round_trip);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::text_of(data, size);
    merge<EdgeConfig>(text, "edge config: a value given is not the value kept", "edge config: to_json does not merge back");
    merge<CloudConfig>(text, "cloud config: a value given is not the value kept",
                       "cloud config: to_json does not merge back");
    return 0;
}
