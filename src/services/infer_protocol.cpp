#include "edgebench/infer_protocol.hpp"

#include <climits>

#include <nlohmann/json.hpp>

#include "edgebench/base64.hpp"
#include "edgebench/error.hpp"
#include "internal/json_cursor.hpp"
#include "internal/json_member_scan.hpp"
#include "services/config_json.hpp"
#include "services/detections_json.hpp"

namespace edgebench {
namespace detail {

nlohmann::json detections_json(const std::vector<Detection>& detections) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : detections) {
        list.push_back({{"category_id", d.category_id},
                        {"bbox", {d.bbox.x, d.bbox.y, d.bbox.width, d.bbox.height}},
                        {"score", d.score}});
    }
    return list;
}

}  // namespace detail

namespace {

using nlohmann::json;
using detail::detections_json;
using detail::JsonCursor;

BBox read_box(const JsonCursor& cursor) {
    if (cursor.array_size() != 4) cursor.fail("an array of 4 numbers [x, y, width, height]");
    BBox box{cursor.at(0).as_number(), cursor.at(1).as_number(), cursor.at(2).as_number(), cursor.at(3).as_number()};
    if (box.width < 0 || box.height < 0) cursor.fail("a box of non-negative width and height");
    return box;
}

std::vector<Annotation> read_annotations(const JsonCursor& list, Id image_id) {
    std::vector<Annotation> annotations;
    annotations.reserve(list.array_size());
    for (std::size_t i = 0; i < list.array_size(); ++i) {
        const auto entry = list.at(i);
        entry.expect_object();
        Annotation a;
        a.image_id = image_id;
        a.category_id = entry.at("category_id").as_int();
        a.bbox = read_box(entry.at("bbox"));
        a.area = a.bbox.area();
        if (auto area = entry.find("area")) a.area = area->as_number();
        if (auto crowd = entry.find("iscrowd")) a.iscrowd = crowd->as_bool();
        // pycocotools treats id 0 specially; ids default to a positive position so that plain lists score
        // as expected.
        a.id = static_cast<Id>(i) + 1;
        if (auto id = entry.find("id")) a.id = id->as_int();
        annotations.push_back(a);
    }
    return annotations;
}

std::vector<Detection> read_detections(const JsonCursor& list) {
    std::vector<Detection> detections;
    detections.reserve(list.array_size());
    for (std::size_t i = 0; i < list.array_size(); ++i) {
        const auto entry = list.at(i);
        entry.expect_object();
        detections.push_back({entry.at("category_id").as_int(), read_box(entry.at("bbox")), entry.at("score").as_number()});
    }
    return detections;
}

void read_common(const JsonCursor& root, InferRequest& request) {
    request.image_id = root.at("image_id").as_int();
    if (auto annotations = root.find("annotations")) {
        request.annotations = read_annotations(*annotations, request.image_id);
        request.has_ground_truth = true;
    }
    if (auto preprocess = root.find("preprocess")) request.preprocess = detail::read_preprocess(*preprocess);
    if (auto id = root.find("request_id")) request.request_id = id->as_string();
    if (auto run = root.find("run_id")) request.run_id = run->as_string();
    if (auto width = root.find("original_width")) request.original_width = static_cast<int>(width->as_int());
    if (auto height = root.find("original_height")) request.original_height = static_cast<int>(height->as_int());
    if (auto sx = root.find("scale_x")) request.scale_x = sx->as_number();
    if (auto sy = root.find("scale_y")) request.scale_y = sy->as_number();
    if (!(request.scale_x > 0) || !(request.scale_y > 0)) throw Error("scales must be positive", "scale_x");
    if (auto edge = root.find("edge")) request.edge = edge->as_string();
    if (auto found = root.find("edge_detections")) request.edge_detections = read_detections(*found);
}

json box_json(const BBox& b) { return json::array({b.x, b.y, b.width, b.height}); }

json stage_json(const StageCost& t) { return {{"wall_ms", t.wall_ms}, {"cpu_ms", t.cpu_ms}}; }

// Optional members of a response section, read through the cursor so that a member of the wrong type is
// an `Error` naming it (nlohmann's value() throws its own type_error instead).
double number_or(const JsonCursor& section, std::string_view key, double fallback) {
    const auto value = section.find(key);
    return value ? value->as_number() : fallback;
}

std::int64_t integer_or(const JsonCursor& section, std::string_view key, std::int64_t fallback) {
    const auto value = section.find(key);
    return value ? value->as_int() : fallback;
}

std::size_t count_or(const JsonCursor& section, std::string_view key) {
    const auto value = section.find(key);
    if (!value) return 0;
    const auto count = value->as_int();
    if (count < 0) value->fail("a count (0 or more)");
    return static_cast<std::size_t>(count);
}

int int_or(const JsonCursor& section, std::string_view key) {
    const auto value = section.find(key);
    if (!value) return 0;
    const auto number = value->as_int();
    if (number < INT_MIN || number > INT_MAX) value->fail("a 32-bit integer");
    return static_cast<int>(number);
}

StageCost read_stage(const JsonCursor& timings, std::string_view key) {
    StageCost t;
    if (const auto stage = timings.find(key)) {
        t.wall_ms = number_or(*stage, "wall_ms", 0.0);
        t.cpu_ms = number_or(*stage, "cpu_ms", 0.0);
    }
    return t;
}

}  // namespace

std::string to_string(ForwardOutcome::Status status) {
    switch (status) {
        case ForwardOutcome::Status::Disabled: return "disabled";
        case ForwardOutcome::Status::Ok: return "ok";
        case ForwardOutcome::Status::HttpError: return "http_error";
        case ForwardOutcome::Status::Timeout: return "timeout";
        case ForwardOutcome::Status::Unreachable: return "unreachable";
        case ForwardOutcome::Status::Failed: return "failed";
    }
    return "disabled";
}

InferRequest parse_infer_json(std::string_view body) {
    if (body.empty()) throw Error("empty request body; expected JSON with image_id and image_b64", "body");
    // The fast path: cut the (plain) base64 string out before parsing the rest, and decode it in place.
    std::string_view encoded;
    json document;
    if (const auto member = detail::find_plain_string_member(body, "image_b64")) {
        std::string rest;
        rest.reserve(body.size() - (member->end - member->begin));
        rest.append(body.substr(0, member->begin)).append(body.substr(member->end));
        document = json::parse(rest, nullptr, false);
        if (!document.is_discarded()) encoded = body.substr(member->begin, member->end - member->begin);
    }
    // Otherwise, or when the rest is malformed (for an error message with the true position), the whole.
    if (encoded.data() == nullptr) document = detail::parse_json(body, "request");
    const JsonCursor root(document, "", "");
    root.expect_object();
    InferRequest request;
    read_common(root, request);
    const auto image = root.at("image_b64");  // present (and, off the fast path, checked to be a string)
    std::string copied;
    if (encoded.data() == nullptr) {
        copied = image.as_string();
        encoded = copied;
    }
    request.image = base64_decode(encoded, "image_b64");
    if (request.image.empty()) throw Error("the image is empty", "image_b64");
    return request;
}

InferRequest parse_infer_metadata(std::string_view metadata_json, std::vector<std::uint8_t> image) {
    const json document = metadata_json.empty() ? json::object() : detail::parse_json(metadata_json, "metadata");
    const JsonCursor root(document, "metadata", "");
    root.expect_object();
    InferRequest request;
    read_common(root, request);
    if (image.empty()) throw Error("missing or empty 'image' part", "image");
    request.image = std::move(image);
    return request;
}

std::string infer_request_to_json(const InferRequest& r, bool include_image) {
    json annotations = json::array();
    for (const auto& a : r.annotations) {
        annotations.push_back({{"id", a.id},
                               {"category_id", a.category_id},
                               {"bbox", box_json(a.bbox)},
                               {"area", a.area},
                               {"iscrowd", a.iscrowd ? 1 : 0}});
    }
    json document = {{"image_id", r.image_id}};
    if (r.has_ground_truth) document["annotations"] = std::move(annotations);
    if (include_image) document["image_b64"] = base64_encode(r.image);
    if (r.preprocess) document["preprocess"] = r.preprocess->to_string();
    if (!r.request_id.empty()) document["request_id"] = r.request_id;
    if (!r.run_id.empty()) document["run_id"] = r.run_id;
    if (r.original_width > 0) document["original_width"] = r.original_width;
    if (r.original_height > 0) document["original_height"] = r.original_height;
    if (r.scale_x != 1.0 || r.scale_y != 1.0) {
        document["scale_x"] = r.scale_x;
        document["scale_y"] = r.scale_y;
    }
    if (!r.edge.empty()) document["edge"] = r.edge;
    if (!r.edge_detections.empty()) document["edge_detections"] = detections_json(r.edge_detections);
    return document.dump();
}

std::string infer_response_to_json(const InferResponse& r) {
    const auto& t = r.timings;
    const auto& p = t.preprocess_detail;
    json metrics = nullptr;
    if (r.metrics) {
        const auto& c = r.metrics->counts;
        metrics = {{"tp", c.tp},          {"fp", c.fp},         {"fn", c.fn},
                   {"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1},
                   {"ground_truth", r.metrics->ground_truth}, {"detections", r.metrics->detections}};
    }
    json document = {
        {"image_id", r.image_id},
        {"node", r.node},
        {"request_id", r.request_id},
        {"run_id", r.run_id},
        {"detector", r.detector},
        {"preprocess", r.preprocess},
        {"detections", detections_json(r.detections)},
        {"metrics", std::move(metrics)},
        {"image",
         {{"bytes_in", p.bytes_in},
          {"bytes_out", p.bytes_out},
          {"width_in", p.width_in},
          {"height_in", p.height_in},
          {"width_out", p.width_out},
          {"height_out", p.height_out}}},
        {"timings",
         {{"parse", stage_json(t.parse)},
          {"preprocess", stage_json(t.preprocess)},
          {"inference", stage_json(t.inference)},
          {"evaluation", stage_json(t.evaluation)},
          {"forward", stage_json(t.forward)},
          {"total", stage_json(t.total)},
          {"decode_ms", p.decode_ms},
          {"resize_ms", p.resize_ms},
          {"encode_ms", p.encode_ms},
          {"output_decode_ms", p.output_decode_ms},
          {"model_prepare_ms", t.inference_detail.prepare_ms},
          {"model_forward_ms", t.inference_detail.forward_ms},
          {"model_postprocess_ms", t.inference_detail.postprocess_ms}}},
        {"forward",
         {{"status", to_string(r.forward.status)},
          {"http_status", r.forward.http_status},
          {"error", r.forward.error},
          {"bytes_sent", r.forward.bytes_sent}}},
    };
    json cloud = r.cloud_json.empty() ? json(nullptr) : json::parse(r.cloud_json, nullptr, false);
    // A value that failed to parse would be written as "<discarded>", which is not JSON.
    document["cloud"] = cloud.is_discarded() ? json(nullptr) : std::move(cloud);
    // forward.error quotes the cloud's answer, cut at a byte count: it need not be UTF-8, and a strict dump
    // would throw for it in the middle of serving a request.
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

InferResponse parse_infer_response(std::string_view body) {
    const json document = detail::parse_json(body, "response");
    const JsonCursor root(document, "", "response");
    root.expect_object();
    InferResponse r;
    r.image_id = root.at("image_id").as_int();
    if (auto v = root.find("node")) r.node = v->as_string();
    if (auto v = root.find("request_id")) r.request_id = v->as_string();
    if (auto v = root.find("run_id")) r.run_id = v->as_string();
    if (auto v = root.find("detector")) r.detector = v->as_string();
    if (auto v = root.find("preprocess")) r.preprocess = v->as_string();
    if (auto v = root.find("detections")) r.detections = read_detections(*v);
    if (auto v = root.find("metrics")) {
        ImageMetrics m;
        m.counts = DetectionCounts::from_counts(integer_or(*v, "tp", 0), integer_or(*v, "fp", 0), integer_or(*v, "fn", 0));
        m.counts.precision = number_or(*v, "precision", m.counts.precision);
        m.counts.recall = number_or(*v, "recall", m.counts.recall);
        m.counts.f1 = number_or(*v, "f1", m.counts.f1);
        m.ground_truth = integer_or(*v, "ground_truth", 0);
        m.detections = integer_or(*v, "detections", 0);
        r.metrics = m;
    }
    if (auto image = root.find("image")) {
        auto& p = r.timings.preprocess_detail;
        p.bytes_in = count_or(*image, "bytes_in");
        p.bytes_out = count_or(*image, "bytes_out");
        p.width_in = int_or(*image, "width_in");
        p.height_in = int_or(*image, "height_in");
        p.width_out = int_or(*image, "width_out");
        p.height_out = int_or(*image, "height_out");
    }
    if (auto timings = root.find("timings")) {
        auto& t = r.timings;
        t.parse = read_stage(*timings, "parse");
        t.preprocess = read_stage(*timings, "preprocess");
        t.inference = read_stage(*timings, "inference");
        t.evaluation = read_stage(*timings, "evaluation");
        t.forward = read_stage(*timings, "forward");
        t.total = read_stage(*timings, "total");
        t.preprocess_detail.decode_ms = number_or(*timings, "decode_ms", 0.0);
        t.preprocess_detail.resize_ms = number_or(*timings, "resize_ms", 0.0);
        t.preprocess_detail.encode_ms = number_or(*timings, "encode_ms", 0.0);
        t.preprocess_detail.output_decode_ms = number_or(*timings, "output_decode_ms", 0.0);
        t.inference_detail.prepare_ms = number_or(*timings, "model_prepare_ms", 0.0);
        t.inference_detail.forward_ms = number_or(*timings, "model_forward_ms", 0.0);
        t.inference_detail.postprocess_ms = number_or(*timings, "model_postprocess_ms", 0.0);
    }
    if (auto forward = root.find("forward")) {
        const auto status = forward->find("status");
        const std::string name = status ? status->as_string() : std::string("disabled");
        for (const auto s : {ForwardOutcome::Status::Disabled, ForwardOutcome::Status::Ok, ForwardOutcome::Status::HttpError,
                             ForwardOutcome::Status::Timeout, ForwardOutcome::Status::Unreachable,
                             ForwardOutcome::Status::Failed}) {
            if (to_string(s) == name) r.forward.status = s;
        }
        r.forward.http_status = int_or(*forward, "http_status");
        if (auto error = forward->find("error")) r.forward.error = error->as_string();
        r.forward.bytes_sent = count_or(*forward, "bytes_sent");
    }
    if (auto cloud = root.find("cloud")) r.cloud_json = cloud->raw().dump();
    return r;
}

}  // namespace edgebench
