#include "edgebench/infer_protocol.hpp"

#include <nlohmann/json.hpp>

#include "edgebench/base64.hpp"
#include "edgebench/error.hpp"
#include "internal/json_cursor.hpp"
#include "services/config_json.hpp"

namespace edgebench {
namespace {

using nlohmann::json;
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

json detections_json(const std::vector<Detection>& detections) {
    json list = json::array();
    for (const auto& d : detections) {
        list.push_back({{"category_id", d.category_id}, {"bbox", box_json(d.bbox)}, {"score", d.score}});
    }
    return list;
}

json stage_json(const StageTime& t) { return {{"wall_ms", t.wall_ms}, {"cpu_ms", t.cpu_ms}}; }

StageTime read_stage(const json& node) {
    StageTime t;
    if (node.is_object()) {
        t.wall_ms = node.value("wall_ms", 0.0);
        t.cpu_ms = node.value("cpu_ms", 0.0);
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
    const json document = detail::parse_json(body, "request");
    const JsonCursor root(document, "", "");
    root.expect_object();
    InferRequest request;
    read_common(root, request);
    const auto image = root.at("image_b64");
    request.image = base64_decode(image.as_string(), "image_b64");
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
    document["cloud"] = r.cloud_json.empty() ? json(nullptr) : json::parse(r.cloud_json, nullptr, false);
    return document.dump();
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
        const auto& node = v->raw();
        m.counts = DetectionCounts::from_counts(node.value("tp", 0), node.value("fp", 0), node.value("fn", 0));
        m.counts.precision = node.value("precision", m.counts.precision);
        m.counts.recall = node.value("recall", m.counts.recall);
        m.counts.f1 = node.value("f1", m.counts.f1);
        m.ground_truth = node.value("ground_truth", 0);
        m.detections = node.value("detections", 0);
        r.metrics = m;
    }
    if (auto image = root.find("image")) {
        auto& p = r.timings.preprocess_detail;
        const auto& node = image->raw();
        p.bytes_in = node.value("bytes_in", std::size_t{0});
        p.bytes_out = node.value("bytes_out", std::size_t{0});
        p.width_in = node.value("width_in", 0);
        p.height_in = node.value("height_in", 0);
        p.width_out = node.value("width_out", 0);
        p.height_out = node.value("height_out", 0);
    }
    if (auto timings = root.find("timings")) {
        const auto& node = timings->raw();
        auto& t = r.timings;
        if (node.contains("parse")) t.parse = read_stage(node["parse"]);
        if (node.contains("preprocess")) t.preprocess = read_stage(node["preprocess"]);
        if (node.contains("inference")) t.inference = read_stage(node["inference"]);
        if (node.contains("evaluation")) t.evaluation = read_stage(node["evaluation"]);
        if (node.contains("forward")) t.forward = read_stage(node["forward"]);
        if (node.contains("total")) t.total = read_stage(node["total"]);
        t.preprocess_detail.decode_ms = node.value("decode_ms", 0.0);
        t.preprocess_detail.resize_ms = node.value("resize_ms", 0.0);
        t.preprocess_detail.encode_ms = node.value("encode_ms", 0.0);
        t.preprocess_detail.output_decode_ms = node.value("output_decode_ms", 0.0);
        t.inference_detail.prepare_ms = node.value("model_prepare_ms", 0.0);
        t.inference_detail.forward_ms = node.value("model_forward_ms", 0.0);
        t.inference_detail.postprocess_ms = node.value("model_postprocess_ms", 0.0);
    }
    if (auto forward = root.find("forward")) {
        const auto& node = forward->raw();
        const std::string status = node.value("status", std::string("disabled"));
        for (const auto s : {ForwardOutcome::Status::Disabled, ForwardOutcome::Status::Ok, ForwardOutcome::Status::HttpError,
                             ForwardOutcome::Status::Timeout, ForwardOutcome::Status::Unreachable,
                             ForwardOutcome::Status::Failed}) {
            if (to_string(s) == status) r.forward.status = s;
        }
        r.forward.http_status = node.value("http_status", 0);
        r.forward.error = node.value("error", std::string());
        r.forward.bytes_sent = node.value("bytes_sent", std::size_t{0});
    }
    if (auto cloud = root.find("cloud")) r.cloud_json = cloud->raw().dump();
    return r;
}

}  // namespace edgebench
