// Schedules, the workload configuration and the plan of timed requests a schedule makes.

#include <cmath>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "edgebench/workload.hpp"
#include "internal/random.hpp"

namespace edgebench {

std::string to_string(WireFormat format) { return format == WireFormat::Json ? "json" : "multipart"; }

WireFormat parse_wire_format(std::string_view text) {
    if (text == "json") return WireFormat::Json;
    if (text == "multipart") return WireFormat::Multipart;
    throw Error("expected 'json' or 'multipart', got '" + std::string(text) + "'", "format");
}

std::string to_string(Schedule::Kind kind) {
    switch (kind) {
        case Schedule::Kind::RoundRobin: return "round-robin";
        case Schedule::Kind::ClosedLoop: return "closed";
        case Schedule::Kind::OpenLoop: return "open";
    }
    return "closed";
}

Schedule::Kind parse_schedule_kind(std::string_view text) {
    if (text == "round-robin" || text == "rr") return Schedule::Kind::RoundRobin;
    if (text == "closed" || text == "closed-loop") return Schedule::Kind::ClosedLoop;
    if (text == "open" || text == "open-loop") return Schedule::Kind::OpenLoop;
    throw Error("expected 'round-robin', 'closed' or 'open', got '" + std::string(text) + "'", "schedule");
}

Schedule Schedule::round_robin(std::size_t images_per_edge, std::size_t repeats, bool distinct_images) {
    Schedule s;
    s.kind = Kind::RoundRobin;
    s.images_per_edge = images_per_edge;
    s.repeats = repeats;
    s.distinct_images = distinct_images;
    return s;
}

Schedule Schedule::closed_loop(int concurrency, std::size_t requests) {
    Schedule s;
    s.kind = Kind::ClosedLoop;
    s.concurrency = concurrency;
    s.requests = requests;
    return s;
}

Schedule Schedule::open_loop(double rate, std::size_t requests, double duration_s, std::uint64_t seed) {
    Schedule s;
    s.kind = Kind::OpenLoop;
    s.rate = rate;
    s.requests = requests;
    s.duration_s = duration_s;
    s.seed = seed;
    return s;
}

void Schedule::validate() const {
    switch (kind) {
        case Kind::RoundRobin:
            if (repeats < 1) throw Error("must be at least 1", "repeats");
            break;
        case Kind::ClosedLoop:
            if (concurrency < 1) throw Error("must be at least 1", "concurrency");
            break;
        case Kind::OpenLoop:
            if (!(rate > 0) || !std::isfinite(rate)) throw Error("must be a positive number of requests per second", "rate");
            if (!(duration_s >= 0) || !std::isfinite(duration_s)) throw Error("must not be negative", "duration_s");
            break;
    }
}

std::string Schedule::describe() const {
    switch (kind) {
        case Kind::RoundRobin:
            return "round-robin images_per_edge=" + (images_per_edge ? std::to_string(images_per_edge) : std::string("all")) +
                   " repeats=" + std::to_string(repeats) + (distinct_images ? " distinct" : "");
        case Kind::ClosedLoop:
            return "closed-loop concurrency=" + std::to_string(concurrency) +
                   " requests=" + (requests ? std::to_string(requests) : std::string("all"));
        case Kind::OpenLoop: {
            std::string text = "open-loop rate=" + nlohmann::json(rate).dump() + "/s";
            if (requests) text += " requests=" + std::to_string(requests);
            else if (duration_s > 0) text += " duration=" + nlohmann::json(duration_s).dump() + "s";
            else text += " requests=all";
            return text + " seed=" + std::to_string(seed);
        }
    }
    return {};
}

void WorkloadConfig::validate() const {
    if (edges.empty()) throw Error("at least one edge URL is needed", "edges");
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const auto& url = edges[i];
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
            throw Error("expected an http:// or https:// URL, got '" + url + "'", "edges[" + std::to_string(i) + "]");
        }
    }
    schedule.validate();
    if (!(timeout_s > 0) || !std::isfinite(timeout_s)) throw Error("must be positive", "timeout_s");
    if (!(connect_timeout_s > 0) || !std::isfinite(connect_timeout_s)) throw Error("must be positive", "connect_timeout_s");
    if (max_connections_per_edge < 0) throw Error("must not be negative", "max_connections_per_edge");
    if (preprocess) preprocess->validate();
    for (const char c : token) {
        if (c == '\r' || c == '\n') throw Error("must not contain line breaks", "token");
    }
}

std::string WorkloadConfig::id_prefix() const {
    if (!request_id_prefix.empty()) return request_id_prefix;
    return run_id.empty() ? "req" : run_id;
}

int WorkloadConfig::connections_per_edge() const {
    if (max_connections_per_edge > 0) return max_connections_per_edge;
    switch (schedule.kind) {
        case Schedule::Kind::RoundRobin: return 1;
        case Schedule::Kind::ClosedLoop: return schedule.concurrency;
        case Schedule::Kind::OpenLoop: return 8;
    }
    return 1;
}

std::string WorkloadConfig::to_json() const {
    const auto& s = schedule;
    nlohmann::json schedule_json = {{"kind", to_string(s.kind)}};
    switch (s.kind) {
        case Schedule::Kind::RoundRobin:
            schedule_json["images_per_edge"] = s.images_per_edge;
            schedule_json["repeats"] = s.repeats;
            schedule_json["distinct_images"] = s.distinct_images;
            break;
        case Schedule::Kind::ClosedLoop:
            schedule_json["concurrency"] = s.concurrency;
            schedule_json["requests"] = s.requests;
            break;
        case Schedule::Kind::OpenLoop:
            schedule_json["rate"] = s.rate;
            schedule_json["requests"] = s.requests;
            schedule_json["duration_s"] = s.duration_s;
            schedule_json["seed"] = s.seed;
            break;
    }
    return nlohmann::json({{"edges", edges},
                           {"format", to_string(format)},
                           {"schedule", std::move(schedule_json)},
                           {"warmup_requests", warmup_requests},
                           {"timeout_s", timeout_s},
                           {"connect_timeout_s", connect_timeout_s},
                           {"token_set", !token.empty()},
                           {"run_id", run_id},
                           {"request_id_prefix", id_prefix()},
                           {"send_annotations", send_annotations},
                           {"preprocess", preprocess ? nlohmann::json(preprocess->to_string()) : nlohmann::json(nullptr)},
                           {"image_limit", image_limit},
                           {"order", order == ImageOrder::Dataset ? "dataset" : "shuffled"},
                           {"order_seed", order_seed},
                           {"max_connections_per_edge", connections_per_edge()}})
        .dump();
}

std::vector<PlannedRequest> plan_requests(const WorkloadConfig& config, std::size_t image_count) {
    config.validate();
    if (image_count == 0) throw Error("no images to send", "images");
    const auto& s = config.schedule;
    const std::size_t edges = config.edges.size();
    std::vector<PlannedRequest> plan;

    if (s.kind == Schedule::Kind::RoundRobin) {
        const std::size_t per_edge = s.images_per_edge ? s.images_per_edge : image_count;
        plan.reserve(edges * s.repeats * per_edge);
        for (std::size_t e = 0; e < edges; ++e) {
            const std::size_t first = s.distinct_images ? e * per_edge : 0;
            for (std::size_t x = 0; x < s.repeats; ++x) {
                for (std::size_t i = 0; i < per_edge; ++i) {
                    plan.push_back({plan.size(), (first + i) % image_count, e, 0.0});
                }
            }
        }
        return plan;
    }

    if (s.kind == Schedule::Kind::ClosedLoop) {
        const std::size_t count = s.requests ? s.requests : image_count;
        plan.reserve(count);
        for (std::size_t k = 0; k < count; ++k) plan.push_back({k, k % image_count, k % edges, 0.0});
        return plan;
    }

    // Open loop: exponential inter-arrival times (inverse transform of a uniform in (0, 1]) make a Poisson
    // process. The first request arrives at 0, so that the run starts at once.
    detail::SplitMix64 rng(s.seed);
    const bool by_duration = s.requests == 0 && s.duration_s > 0;
    const std::size_t count = s.requests ? s.requests : image_count;
    double t = 0;
    for (std::size_t k = 0;; ++k) {
        if (by_duration ? t >= s.duration_s : k >= count) break;
        plan.push_back({k, k % image_count, k % edges, t});
        const double u = 1.0 - rng.uniform();  // (0, 1]: the logarithm stays finite
        t += -std::log(u) / s.rate;
    }
    return plan;
}

}  // namespace edgebench
