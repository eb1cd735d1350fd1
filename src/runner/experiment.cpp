#include "edgebench/experiment.hpp"

#include <algorithm>
#include <optional>
#include <array>
#include <cmath>
#include <functional>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "internal/file_io.hpp"
#include "internal/json_cursor.hpp"
#include "runner/yaml_document.hpp"
#include "services/config_json.hpp"

namespace edgebench {
namespace {

using nlohmann::json;
using detail::JsonCursor;

// Re-throws an error about `path` with the line it came from, when the document knows it.
[[noreturn]] void rethrow_with_line(const Error& error, const detail::YamlDocument& document) {
    const int line = document.line_of(error.field());
    std::string message = error.message();
    if (line > 0) message += " (line " + std::to_string(line) + ")";
    throw Error(message, error.field(), document.source);
}

std::string format_number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

std::string text_of(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number_float()) return format_number(value.get<double>());
    return value.dump();
}

// A preprocessing setting as an object of the settings given (so that a grid axis can change one of them
// and the rules that depend on what was given, "quality without format means JPEG", still hold).
json preprocess_object(const JsonCursor& cursor) {
    json object = json::object();
    if (cursor.raw().is_object()) {
        (void)detail::read_preprocess(cursor);  // validates
        return cursor.raw();
    }
    const std::string text = cursor.as_string();
    (void)PreprocessConfig::parse(text);  // validates, naming the bad setting
    // Whitespace as PreprocessConfig::parse trims it (isspace in the C locale): a key written "quality "
    // must become "quality", or a grid axis on the quality would not replace it.
    static constexpr const char* space = " \t\n\v\f\r";
    const auto trim = [](std::string item) {
        item.erase(0, item.find_first_not_of(space));
        item.erase(item.find_last_not_of(space) + 1);
        return item;
    };
    // A blank string is the default (identity), not the study's form with no pairs (which means JPEG).
    if (text.find_first_not_of(space) == std::string::npos) return object;
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find(',', start);
        std::string part = trim(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (!part.empty()) parts.push_back(part);
        if (end == std::string::npos) break;
        start = end + 1;
    }
    auto put = [&](std::string key, std::string value) {
        key = trim(std::move(key));
        value = trim(std::move(value));
        std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
        if (!value.empty() && value.back() == '%') value.pop_back();
        if (key == "bw" || key == "gray") key = "grayscale";
        if (key == "encoding") key = "format";
        object[key] = detail::JsonCursor(json(value), "", "").raw();
    };
    if (text.find('=') != std::string::npos) {
        for (const auto& part : parts) {
            const auto equals = part.find('=');
            put(part.substr(0, equals), part.substr(equals + 1));
        }
    } else {
        for (std::size_t i = 0; i + 1 < parts.size(); i += 2) put(parts[i], parts[i + 1]);
        object["format"] = "jpeg";  // the study's form always re-encodes
    }
    return object;
}

PreprocessConfig preprocess_from_object(const json& object, const std::string& path) {
    return detail::read_preprocess(JsonCursor(object, path, ""));
}

// Every key the normalised document may hold, per section.
constexpr std::array<std::string_view, 13> kTopKeys = {"name",      "dataset",   "images",     "image_seed",
                                                              "repetitions", "placement", "edges",      "cloud",
                                                              "network",   "workload",  "thresholds", "backend",
                                                              "grid"};
constexpr std::array<std::string_view, 6> kEdgeKeys = {"name", "count", "detector", "detector_options",
                                                               "preprocess", "network"};

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& path) {
    const std::filesystem::path p(path);
    return p.is_absolute() ? p : (base / p).lexically_normal();
}

// Detector specs that name a file: make the path absolute and check it exists.
// An unknown backend fails the experiment when it is read, not every run when its nodes start. The
// nodes are separate programs built with the same backends as this library.
void check_backend(const std::string& spec, const std::string& field) {
    const auto parsed = DetectorSpec::parse(spec);
    static const auto known = [] {
        std::vector<std::string> names;
        for (const auto& backend : DetectorRegistry::with_builtin_backends().backends()) names.push_back(backend.name);
        return names;
    }();
    if (std::find(known.begin(), known.end(), parsed.backend) != known.end()) return;
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    throw Error("unknown detector backend '" + parsed.backend + "' (known: " + list + ")", field);
}

std::string v_path_or(const JsonCursor& entry, const std::string& key) {
    if (auto v = entry.find(key)) return v->path();
    return entry.path() + "." + key;
}

std::string resolve_spec(const std::string& spec, const std::filesystem::path& base, const std::string& field) {
    const auto check = [&](const std::string& prefix, const std::string& path) {
        const auto full = resolve(base, path);
        std::error_code ec;
        if (!std::filesystem::exists(full, ec)) throw Error("model file not found: " + full.string(), field);
        return prefix + full.string();
    };
    if (spec.rfind("torchscript:", 0) == 0) return check("torchscript:", spec.substr(12));
    if (spec.rfind("onnx:", 0) == 0) {
        const auto colon = spec.find(':', 5);
        if (colon != std::string::npos) return check(spec.substr(0, colon + 1), spec.substr(colon + 1));
    }
    return spec;
}

// Sets `value` at a dotted `path` ("edges.preprocess.quality", "edges[1].detector", "workload.rate") of the
// normalised document. "edges.X" applies to every edge, or edge by edge when `value` is a list of one value
// per edge. "network.X" is every edge's network.
void apply_axis(json& document, const std::string& axis, const json& value) {
    std::string path = axis;
    if (path.rfind("network.", 0) == 0) path = "edges." + path;
    std::vector<std::string> segments;
    for (std::size_t start = 0;;) {
        const auto dot = path.find('.', start);
        segments.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    std::function<void(json&, std::size_t, const json&)> set = [&](json& node, std::size_t depth, const json& v) {
        const std::string& key = segments[depth];
        if (depth + 1 == segments.size()) {
            node[key] = v;
            return;
        }
        if (!node.contains(key) || node[key].is_null()) node[key] = json::object();
        if (!node[key].is_object()) throw Error("'" + key + "' is not a section that grid axes can reach into", axis);
        set(node[key], depth + 1, v);
    };
    const std::string& first = segments.front();
    if (first == "edges" || first.rfind("edges[", 0) == 0) {
        if (segments.size() < 2) throw Error("name a setting of the edges, e.g. edges.detector", axis);
        json& edges = document["edges"];
        std::vector<std::size_t> targets;
        if (first == "edges") {
            for (std::size_t i = 0; i < edges.size(); ++i) targets.push_back(i);
        } else {
            const std::string digits = first.substr(6, first.size() > 7 ? first.size() - 7 : 0);
            if (first.back() != ']' || digits.empty() || digits.size() > 6 ||
                digits.find_first_not_of("0123456789") != std::string::npos) {
                throw Error("'" + first + "' is not an edge: write edges[N] with N a number from 0", axis);
            }
            const auto index = static_cast<std::size_t>(std::stoul(digits));
            if (index >= edges.size()) {
                throw Error("edge index " + std::to_string(index) + " out of range (" + std::to_string(edges.size()) +
                                " edges)",
                            axis);
            }
            targets.push_back(index);
        }
        const bool per_edge = value.is_array() && first == "edges";
        if (per_edge && value.size() != targets.size()) {
            throw Error("a per-edge value needs one entry per edge (" + std::to_string(targets.size()) + "), got " +
                            std::to_string(value.size()),
                        axis);
        }
        for (std::size_t k = 0; k < targets.size(); ++k) {
            set(edges[targets[k]], 1, per_edge ? value[k] : value);
        }
        return;
    }
    set(document, 0, value);
}

// Expands one axis's values: a list, or {permutations: [...], size: k} for every ordered k-tuple of
// distinct items.
std::vector<json> axis_values(const JsonCursor& cursor) {
    if (cursor.is_array()) {
        if (cursor.array_size() == 0) throw Error("an axis needs at least one value", cursor.path());
        return std::vector<json>(cursor.raw().begin(), cursor.raw().end());
    }
    if (cursor.is_object()) {
        detail::reject_unknown_keys(cursor, {"permutations", "size"});
        const auto items = cursor.at("permutations");
        const std::size_t n = items.array_size();
        const auto size = cursor.at("size");
        const auto k = static_cast<std::size_t>(size.as_int());
        if (k < 1 || k > n) size.fail("a tuple size between 1 and the number of items");
        std::vector<json> tuples;
        std::vector<std::size_t> chosen;
        std::vector<bool> used(n, false);
        std::function<void()> extend = [&] {
            if (chosen.size() == k) {
                json tuple = json::array();
                for (const auto i : chosen) tuple.push_back(items.raw()[i]);
                tuples.push_back(tuple);
                return;
            }
            for (std::size_t i = 0; i < n; ++i) {
                if (used[i]) continue;
                used[i] = true;
                chosen.push_back(i);
                extend();
                chosen.pop_back();
                used[i] = false;
            }
        };
        extend();
        return tuples;
    }
    cursor.fail("a list of values or {permutations: [...], size: N}");
}

DetectorOptions read_detector_options(const json& node, const std::string& path) {
    DetectorOptions options;
    if (!node.is_null()) detail::merge_detector_options(JsonCursor(node, path, ""), options);
    options.validate();
    return options;
}

WorkloadSpec read_workload(const JsonCursor& cursor) {
    WorkloadSpec w;
    if (cursor.is_null()) return w;
    detail::reject_unknown_keys(cursor, {"schedule", "concurrency", "rate", "requests", "duration_s", "seed",
                                         "images_per_edge", "repeats", "distinct_images", "warmup", "format",
                                         "timeout_s"});
    Schedule& s = w.schedule;
    if (auto v = cursor.find("schedule")) {
        try {
            s.kind = parse_schedule_kind(v->as_string());
        } catch (const Error&) {
            v->fail("round-robin, closed or open");
        }
    }
    if (auto v = cursor.find("concurrency")) s.concurrency = static_cast<int>(v->as_int());
    if (auto v = cursor.find("rate")) s.rate = v->as_number();
    if (auto v = cursor.find("requests")) s.requests = static_cast<std::size_t>(std::max<std::int64_t>(0, v->as_int()));
    if (auto v = cursor.find("duration_s")) s.duration_s = v->as_number();
    if (auto v = cursor.find("seed")) s.seed = static_cast<std::uint64_t>(v->as_int());
    if (auto v = cursor.find("images_per_edge")) s.images_per_edge = static_cast<std::size_t>(std::max<std::int64_t>(0, v->as_int()));
    if (auto v = cursor.find("repeats")) s.repeats = static_cast<std::size_t>(std::max<std::int64_t>(0, v->as_int()));
    if (auto v = cursor.find("distinct_images")) s.distinct_images = v->as_bool();
    if (s.kind == Schedule::Kind::OpenLoop && !cursor.find("rate")) {
        throw Error("an open-loop schedule needs a rate (requests per second)", cursor.path() + ".rate");
    }
    try {
        s.validate();
    } catch (const Error& error) {
        throw Error(error.message(), cursor.path() + "." + error.field());
    }
    if (auto v = cursor.find("warmup")) {
        const auto warmup = v->as_int();
        if (warmup < 0) v->fail("0 or more");
        w.warmup = static_cast<std::size_t>(warmup);
    }
    if (auto v = cursor.find("format")) {
        try {
            w.format = parse_wire_format(v->as_string());
        } catch (const Error&) {
            v->fail("multipart or json");
        }
    }
    if (auto v = cursor.find("timeout_s")) {
        w.timeout_s = v->as_number();
        if (!(w.timeout_s > 0)) v->fail("a positive number of seconds");
    }
    return w;
}

// Turns one fully expanded document into a run.
RunConfig read_run(const json& document, const std::filesystem::path& base) {
    const JsonCursor root(document, "", "");
    RunConfig run;

    const auto dataset = root.at("dataset");
    detail::reject_unknown_keys(dataset, {"synthetic", "coco"});
    if (dataset.find("synthetic") && dataset.find("coco")) {
        throw Error("give either synthetic or coco, not both", "dataset");
    }
    if (auto coco = dataset.find("coco")) {
        detail::reject_unknown_keys(*coco, {"instances", "images"});
        run.dataset.kind = DatasetSpec::Kind::Coco;
        const auto instances = coco->at("instances");
        run.dataset.instances = resolve(base, instances.as_string());
        std::error_code ec;
        if (!std::filesystem::exists(run.dataset.instances, ec)) {
            throw Error("file not found: " + run.dataset.instances.string(), instances.path());
        }
        if (auto images = coco->find("images")) run.dataset.images = resolve(base, images->as_string());
    } else if (auto synthetic = dataset.find("synthetic")) {
        detail::reject_unknown_keys(*synthetic, {"count", "seed", "width", "height", "min_objects", "max_objects"});
        auto& o = run.dataset.synthetic;
        if (auto v = synthetic->find("count")) o.image_count = static_cast<std::size_t>(std::max<std::int64_t>(0, v->as_int()));
        if (auto v = synthetic->find("seed")) o.seed = static_cast<std::uint64_t>(v->as_int());
        if (auto v = synthetic->find("width")) o.width = static_cast<int>(v->as_int());
        if (auto v = synthetic->find("height")) o.height = static_cast<int>(v->as_int());
        if (auto v = synthetic->find("min_objects")) o.min_objects = static_cast<int>(v->as_int());
        if (auto v = synthetic->find("max_objects")) o.max_objects = static_cast<int>(v->as_int());
        try {
            o.validate();
        } catch (const Error& error) {
            throw Error(error.message(), synthetic->path() + "." + error.field());
        }
        if (o.image_count == 0) throw Error("must be at least 1", synthetic->path() + ".count");
    } else {
        throw Error("give synthetic: {...} or coco: {instances: ...}", "dataset");
    }

    if (auto v = root.find("images")) {
        const auto count = v->as_int();
        if (count < 1) v->fail("a positive number of images");
        run.image_count = static_cast<std::size_t>(count);
    }
    if (auto v = root.find("image_seed")) run.image_seed = static_cast<std::uint64_t>(v->as_int());
    if (auto v = root.find("placement")) {
        const auto name = v->as_string();
        if (name == "edge") run.placement = Placement::Edge;
        else if (name == "cloud") run.placement = Placement::Cloud;
        else if (name == "both") run.placement = Placement::Both;
        else v->fail("edge, cloud or both");
    }
    if (auto v = root.find("backend")) {
        const auto name = v->as_string();
        if (name == "local") run.backend = LaunchBackend::Local;
        else if (name == "netns") run.backend = LaunchBackend::Netns;
        else if (name == "compose") run.backend = LaunchBackend::Compose;
        else if (name == "kubernetes") run.backend = LaunchBackend::Kubernetes;
        else v->fail("local, netns, compose or kubernetes");
    }

    const auto edges = root.at("edges");
    for (std::size_t i = 0; i < edges.array_size(); ++i) {
        const auto entry = edges.at(i);
        detail::reject_unknown_keys(entry, kEdgeKeys);
        EdgeSpec edge;
        edge.name = entry.at("name").as_string();
        if (auto v = entry.find("detector")) edge.detector = resolve_spec(v->as_string(), base, v->path());
        check_backend(edge.detector, v_path_or(entry, "detector"));
        edge.detector_options = read_detector_options(entry.raw().value("detector_options", json()), entry.path() + ".detector_options");
        if (auto v = entry.find("preprocess")) edge.preprocess = preprocess_from_object(v->raw(), v->path());
        if (auto v = entry.find("network")) {
            detail::merge_link_profile(*v, edge.link);
            try {
                edge.link.validate();
            } catch (const Error& error) {
                throw Error(error.message(), v->path() + "." + error.field());
            }
        }
        run.edges.push_back(std::move(edge));
    }

    if (auto cloud = root.find("cloud")) {
        detail::reject_unknown_keys(*cloud, {"detector", "detector_options"});
        if (auto v = cloud->find("detector")) run.cloud.detector = resolve_spec(v->as_string(), base, v->path());
        check_backend(run.cloud.detector, "cloud.detector");
        run.cloud.detector_options = read_detector_options(cloud->raw().value("detector_options", json()), "cloud.detector_options");
    }
    run.workload = read_workload(root.find("workload").value_or(JsonCursor(json(nullptr), "workload", "")));
    if (auto thresholds = root.find("thresholds")) {
        detail::reject_unknown_keys(*thresholds, {"iou", "score"});
        if (auto v = thresholds->find("iou")) run.iou_threshold = v->as_number();
        if (auto v = thresholds->find("score")) run.score_threshold = v->as_number();
        if (!(run.iou_threshold > 0 && run.iou_threshold <= 1)) throw Error("must be in (0, 1]", "thresholds.iou");
        if (!(run.score_threshold >= 0 && run.score_threshold <= 1)) throw Error("must be in [0, 1]", "thresholds.score");
    }
    if (run.placement != Placement::Edge && run.cloud.detector == "none") {
        throw Error("placement '" + to_string(run.placement) + "' needs a cloud detector", "cloud.detector");
    }
    return run;
}

// The normalised base document: edges as a list of full edge objects, the global network folded into
// each edge, preprocessing as objects of the settings given.
json normalise(const JsonCursor& root) {
    detail::reject_unknown_keys(root, kTopKeys);
    json document = root.raw();
    document.erase("grid");
    document.erase("name");
    document.erase("repetitions");
    json network = root.find("network") ? root.at("network").raw() : json::object();
    if (!network.is_object()) root.at("network").fail("an object {bandwidth_mbps, latency_ms}");
    document.erase("network");

    json edges = json::array();
    const auto given = root.at("edges");
    auto normalise_edge = [&](const JsonCursor& entry, const std::string& default_name) {
        detail::reject_unknown_keys(entry, kEdgeKeys);
        json edge = entry.raw();
        edge.erase("count");
        if (!edge.contains("name")) edge["name"] = default_name;
        if (auto p = entry.find("preprocess")) edge["preprocess"] = preprocess_object(*p);
        json link = network;
        if (auto n = entry.find("network")) {
            n->expect_object();
            link.update(n->raw());
        }
        edge["network"] = link;
        return edge;
    };
    if (given.is_array()) {
        if (given.array_size() == 0) throw Error("at least one edge is needed", "edges");
        for (std::size_t i = 0; i < given.array_size(); ++i) {
            const auto entry = given.at(i);
            if (entry.find("count")) throw Error("count belongs to the single-object form of edges", entry.path() + ".count");
            edges.push_back(normalise_edge(entry, "edge-" + std::to_string(i + 1)));
        }
    } else {
        given.expect_object();
        std::int64_t count = 1;
        if (auto c = given.find("count")) {
            count = c->as_int();
            if (count < 1 || count > 64) c->fail("between 1 and 64 edges");
        }
        // A name given here names the only edge, or is the prefix of several: name-1, name-2, ...
        std::string prefix = "edge";
        std::optional<std::string> only_name;
        if (auto n = given.find("name")) {
            prefix = n->as_string();
            if (prefix.empty()) n->fail("a non-empty name");
            if (count == 1) only_name = prefix;
        }
        for (std::int64_t i = 0; i < count; ++i) {
            json edge = normalise_edge(given, "");
            edge["name"] = only_name ? *only_name : prefix + "-" + std::to_string(i + 1);
            edges.push_back(edge);
        }
    }
    document["edges"] = edges;
    return document;
}

}  // namespace

std::string to_string(Placement placement) {
    switch (placement) {
        case Placement::Edge: return "edge";
        case Placement::Cloud: return "cloud";
        case Placement::Both: return "both";
    }
    return "edge";
}

std::string to_string(LaunchBackend backend) {
    switch (backend) {
        case LaunchBackend::Local: return "local";
        case LaunchBackend::Netns: return "netns";
        case LaunchBackend::Compose: return "compose";
        case LaunchBackend::Kubernetes: return "kubernetes";
    }
    return "local";
}

bool operator==(const DatasetSpec& a, const DatasetSpec& b) { return a.describe() == b.describe(); }

std::string DatasetSpec::describe() const {
    if (kind == Kind::Coco) return instances.string();
    return "synthetic(count=" + std::to_string(synthetic.image_count) + ",seed=" + std::to_string(synthetic.seed) +
           ",size=" + std::to_string(synthetic.width) + "x" + std::to_string(synthetic.height) +
           ",objects=" + std::to_string(synthetic.min_objects) + "-" + std::to_string(synthetic.max_objects) + ")";
}

std::string RunConfig::edge_detector(std::size_t edge) const {
    return placement == Placement::Cloud ? "none" : edges.at(edge).detector;
}

std::string RunConfig::cloud_detector() const { return placement == Placement::Edge ? "none" : cloud.detector; }

std::vector<std::pair<std::string, std::string>> RunConfig::columns() const {
    std::vector<std::pair<std::string, std::string>> c;
    c.emplace_back("run_id", run_id);
    c.emplace_back("index", std::to_string(index));
    c.emplace_back("repetition", std::to_string(repetition));
    c.emplace_back("dataset", dataset.describe());
    c.emplace_back("images", std::to_string(image_count));
    c.emplace_back("image_seed", image_seed ? std::to_string(*image_seed) : "");
    c.emplace_back("placement", to_string(placement));
    c.emplace_back("edges", std::to_string(edges.size()));
    // Settings shared by every edge also get a plain column (empty when edges differ), which is what most
    // analyses group by.
    auto uniform = [&](auto getter) {
        const std::string first = getter(0);
        for (std::size_t i = 1; i < edges.size(); ++i) {
            if (getter(i) != first) return std::string();
        }
        return first;
    };
    std::string models;
    for (std::size_t i = 0; i < edges.size(); ++i) models += (i ? "|" : "") + edge_detector(i);
    c.emplace_back("edge_detectors", models);
    c.emplace_back("cloud_detector", cloud_detector());
    c.emplace_back("detector", placement == Placement::Cloud ? cloud.detector : uniform([&](std::size_t i) { return edge_detector(i); }));
    c.emplace_back("preprocess", uniform([&](std::size_t i) { return edges[i].preprocess.to_string(); }));
    c.emplace_back("grayscale", uniform([&](std::size_t i) { return std::to_string(edges[i].preprocess.grayscale ? 1 : 0); }));
    c.emplace_back("resize", uniform([&](std::size_t i) { return format_number(edges[i].preprocess.resize_percent); }));
    c.emplace_back("quality", uniform([&](std::size_t i) {
        return edges[i].preprocess.encoding == ImageEncoding::Original ? std::string("original")
                                                                        : std::to_string(edges[i].preprocess.quality);
    }));
    c.emplace_back("format", uniform([&](std::size_t i) { return edgebench::to_string(edges[i].preprocess.encoding); }));
    c.emplace_back("bandwidth_mbps", uniform([&](std::size_t i) { return format_number(edges[i].link.bandwidth_mbps); }));
    c.emplace_back("latency_ms", uniform([&](std::size_t i) { return format_number(edges[i].link.latency_ms); }));
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const std::string prefix = "edge" + std::to_string(i + 1) + "_";
        c.emplace_back(prefix + "detector", edge_detector(i));
        c.emplace_back(prefix + "preprocess", edges[i].preprocess.to_string());
        c.emplace_back(prefix + "bandwidth_mbps", format_number(edges[i].link.bandwidth_mbps));
        c.emplace_back(prefix + "latency_ms", format_number(edges[i].link.latency_ms));
    }
    const Schedule& schedule = workload.schedule;
    c.emplace_back("schedule", to_string(schedule.kind));
    c.emplace_back("concurrency", std::to_string(schedule.concurrency));
    c.emplace_back("rate", format_number(schedule.rate));
    c.emplace_back("requests", std::to_string(schedule.requests));
    c.emplace_back("images_per_edge", std::to_string(schedule.images_per_edge));
    c.emplace_back("repeats", std::to_string(schedule.repeats));
    c.emplace_back("warmup", std::to_string(workload.warmup));
    c.emplace_back("wire_format", to_string(workload.format));
    c.emplace_back("iou_threshold", format_number(iou_threshold));
    c.emplace_back("score_threshold", format_number(score_threshold));
    c.emplace_back("backend", to_string(backend));
    return c;
}

std::string RunConfig::to_json() const {
    json edges_json = json::array();
    for (const auto& e : edges) {
        edges_json.push_back({{"name", e.name},
                              {"detector", e.detector},
                              {"detector_options", detail::detector_options_to_json(e.detector_options)},
                              {"preprocess", e.preprocess.to_string()},
                              {"network", detail::link_profile_to_json(e.link)}});
    }
    json axes_json = json::object();
    for (const auto& [axis, value] : axes) axes_json[axis] = value;
    return json({{"run_id", run_id},
                 {"index", index},
                 {"repetition", repetition},
                 {"dataset", dataset.describe()},
                 {"images", image_count},
                 {"image_seed", image_seed ? json(*image_seed) : json(nullptr)},
                 {"placement", to_string(placement)},
                 {"edges", edges_json},
                 {"cloud",
                  {{"detector", cloud.detector}, {"detector_options", detail::detector_options_to_json(cloud.detector_options)}}},
                 {"workload",
                  {{"schedule", workload.schedule.describe()},
                   {"warmup", workload.warmup},
                   {"format", to_string(workload.format)},
                   {"timeout_s", workload.timeout_s}}},
                 {"thresholds", {{"iou", iou_threshold}, {"score", score_threshold}}},
                 {"backend", to_string(backend)},
                 {"axes", axes_json}})
        .dump();
}

Experiment Experiment::load(const std::filesystem::path& file) {
    const auto absolute = std::filesystem::absolute(file);
    Experiment experiment = parse(detail::read_file_text(absolute), absolute.parent_path(), file.string());
    if (experiment.name_.empty()) experiment.name_ = file.stem().string();
    return experiment;
}

Experiment Experiment::parse(std::string_view text, const std::filesystem::path& base_dir, const std::string& source) {
    const detail::YamlDocument document = detail::parse_yaml(text, source);
    Experiment experiment;
    experiment.text_ = std::string(text);
    experiment.source_ = source;
    try {
        const JsonCursor root(document.root, "", "");
        root.expect_object();
        if (auto name = root.find("name")) experiment.name_ = name->as_string();
        int repetitions = 1;
        if (auto r = root.find("repetitions")) {
            repetitions = static_cast<int>(r->as_int());
            if (repetitions < 1) r->fail("at least 1");
        }
        const json base = normalise(root);

        // The grid: axes in file order, each with its list of values.
        std::vector<std::pair<std::string, std::vector<json>>> axes;
        if (auto grid = root.find("grid")) {
            grid->expect_object();
            if (grid->raw().empty()) throw Error("the grid has no axes; remove it or add one", grid->path());
            for (auto it = grid->raw().begin(); it != grid->raw().end(); ++it) {
                const JsonCursor axis(it.value(), grid->path() + "." + it.key(), "");
                axes.emplace_back(it.key(), axis_values(axis));
            }
            // The parsed document's objects are sorted by key; the YAML source still knows the file order.
            std::stable_sort(axes.begin(), axes.end(), [&](const auto& a, const auto& b) {
                return document.line_of("grid." + a.first) < document.line_of("grid." + b.first);
            });
            for (const auto& axis : axes) experiment.axes_.push_back(axis.first);
        }

        std::size_t points = 1;
        for (const auto& [name, values] : axes) points *= values.size();
        if (points * static_cast<std::size_t>(repetitions) > 1'000'000) {
            throw Error("the grid has " + std::to_string(points) + " points; more than a million runs is surely a mistake",
                        "grid");
        }
        std::vector<std::size_t> position(axes.size(), 0);
        std::size_t index = 0;
        for (std::size_t point = 0; point < points; ++point) {
            json expanded = base;
            std::vector<std::pair<std::string, std::string>> values;
            for (std::size_t a = 0; a < axes.size(); ++a) {
                const auto& [axis, list] = axes[a];
                try {
                    apply_axis(expanded, axis, list[position[a]]);
                } catch (const Error& error) {
                    throw Error(error.message(), "grid." + axis);
                }
                values.emplace_back(axis, text_of(list[position[a]]));
            }
            RunConfig run;
            try {
                run = read_run(expanded, base_dir);
            } catch (const Error& error) {
                if (axes.empty()) throw;
                std::string where;
                for (const auto& [axis, value] : values) where += (where.empty() ? "" : ", ") + axis + "=" + value;
                throw Error(error.message() + " (in the grid point " + where + ")", error.field());
            }
            run.axes = values;
            for (int r = 0; r < repetitions; ++r) {
                RunConfig copy = run;
                copy.index = index;
                copy.repetition = r;
                char id[32];
                std::snprintf(id, sizeof id, "run-%04zu", index + 1);
                copy.run_id = id;
                experiment.runs_.push_back(std::move(copy));
                ++index;
            }
            // Odometer: the last axis varies fastest.
            for (std::size_t a = axes.size(); a-- > 0;) {
                if (++position[a] < axes[a].second.size()) break;
                position[a] = 0;
            }
        }
    } catch (const Error& error) {
        rethrow_with_line(error, document);
    }
    return experiment;
}

}  // namespace edgebench
