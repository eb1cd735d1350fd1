#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "edgebench/base64.hpp"
#include "edgebench/error.hpp"
#include "edgebench/infer_protocol.hpp"

using namespace edgebench;

TEST(InferProtocol, JsonRequestRoundTrip) {
    InferRequest request;
    request.image_id = 42;
    request.image = {0xFF, 0xD8, 0xFF, 1, 2, 3};
    request.annotations = {Annotation{7, 42, 3, BBox{1, 2, 3, 4}, 10.5, true, {}}};
    request.has_ground_truth = true;
    request.preprocess = PreprocessConfig::parse("quality=50,resize=75");
    request.request_id = "r-1";
    request.run_id = "run-9";
    const auto parsed = parse_infer_json(infer_request_to_json(request, true));
    EXPECT_EQ(parsed.image_id, 42);
    EXPECT_EQ(parsed.image, request.image);
    ASSERT_EQ(parsed.annotations.size(), 1u);
    EXPECT_EQ(parsed.annotations[0].bbox, (BBox{1, 2, 3, 4}));
    EXPECT_DOUBLE_EQ(parsed.annotations[0].area, 10.5);
    EXPECT_TRUE(parsed.annotations[0].iscrowd);
    EXPECT_EQ(parsed.annotations[0].id, 7);
    EXPECT_TRUE(parsed.has_ground_truth);
    EXPECT_EQ(parsed.preprocess, request.preprocess);
    EXPECT_EQ(parsed.request_id, "r-1");
    EXPECT_EQ(parsed.run_id, "run-9");
}

TEST(InferProtocol, OriginalStudyShapeWithObjectPreprocessing) {
    const auto parsed = parse_infer_json(R"({"image_id": 5, "image_b64": "AAEC",
        "annotations": [{"category_id": 1, "bbox": [0, 0, 10, 10]}],
        "preprocess": {"grayscale": true, "resize": 50, "quality": 20}})");
    EXPECT_EQ(parsed.image, (std::vector<std::uint8_t>{0, 1, 2}));
    EXPECT_TRUE(parsed.preprocess->grayscale);
    EXPECT_EQ(parsed.preprocess->quality, 20);
    EXPECT_DOUBLE_EQ(parsed.annotations[0].area, 100.0);  // defaults to the box area
    EXPECT_EQ(parsed.annotations[0].id, 1);               // positive default ids
    // Without "annotations" the request carries no ground truth; an empty list means "no objects".
    EXPECT_FALSE(parse_infer_json(R"({"image_id": 5, "image_b64": "AAEC"})").has_ground_truth);
    EXPECT_TRUE(parse_infer_json(R"({"image_id": 5, "image_b64": "AAEC", "annotations": []})").has_ground_truth);
}

TEST(InferProtocol, BadRequestsNameTheField) {
    auto field = [](const std::string& body) {
        try {
            (void)parse_infer_json(body);
        } catch (const Error& error) {
            return error.field();
        }
        return std::string("<no error>");
    };
    EXPECT_EQ(field(""), "body");
    EXPECT_EQ(field(R"({"image_b64": "AAEC"})"), "image_id");
    EXPECT_EQ(field(R"({"image_id": 1})"), "image_b64");
    EXPECT_EQ(field(R"({"image_id": 1, "image_b64": "A!EC"})"), "image_b64");
    EXPECT_EQ(field(R"({"image_id": 1, "image_b64": ""})"), "image_b64");
    EXPECT_EQ(field(R"({"image_id": 1, "image_b64": "AAEC", "annotations": [{"category_id": 1, "bbox": [0, 0, -1, 1]}]})"),
              "annotations[0].bbox");
    EXPECT_EQ(field(R"({"image_id": 1, "image_b64": "AAEC", "preprocess": "quality=0"})"), "quality");
    EXPECT_EQ(field(R"({"image_id": 1, "image_b64": "AAEC", "preprocess": {"quality": [1]}})"), "preprocess.quality");
    EXPECT_EQ(field("[1, 2]"), "(top level)");
    EXPECT_THROW((void)parse_infer_metadata(R"({"image_id": 1})", {}), Error);  // no image part
}

TEST(InferProtocol, ResponseRoundTrip) {
    InferResponse response;
    response.image_id = 3;
    response.node = "edge-1";
    response.detector = "builtin";
    response.detections = {{2, BBox{1, 2, 3, 4}, 0.75}};
    response.metrics = ImageMetrics{DetectionCounts::from_counts(1, 0, 2), 3, 1};
    response.timings.preprocess = {1.5, 1.25};
    response.timings.preprocess_detail.bytes_in = 1000;
    response.timings.preprocess_detail.bytes_out = 200;
    response.timings.inference_detail.forward_ms = 12.5;
    response.forward.status = ForwardOutcome::Status::Timeout;
    response.forward.error = "timed out";
    response.cloud_json = R"({"node": "cloud", "image_id": 3})";
    const auto parsed = parse_infer_response(infer_response_to_json(response));
    EXPECT_EQ(parsed.node, "edge-1");
    EXPECT_EQ(parsed.detections, response.detections);
    ASSERT_TRUE(parsed.metrics.has_value());
    EXPECT_EQ(parsed.metrics->counts.fn, 2);
    EXPECT_DOUBLE_EQ(parsed.timings.preprocess.cpu_ms, 1.25);
    EXPECT_EQ(parsed.timings.preprocess_detail.bytes_out, 200u);
    EXPECT_DOUBLE_EQ(parsed.timings.inference_detail.forward_ms, 12.5);
    EXPECT_EQ(parsed.forward.status, ForwardOutcome::Status::Timeout);
    EXPECT_EQ(nlohmann::json::parse(parsed.cloud_json)["node"], "cloud");
}

TEST(InferProtocol, MistypedResponseFieldsAreErrorsNamingTheField) {
    // Found by fuzzing (tests/fuzz/fuzz_infer_json.cpp): the sections other than detections were read with
    // nlohmann's value(), which throws json::type_error, not Error, for a member of the wrong type.
    const std::pair<const char*, const char*> cases[] = {
        {R"({"image_id": 1, "metrics": {"tp": {"wall_ms": 1}}})", "metrics.tp"},
        {R"({"image_id": 1, "metrics": 5})", "metrics"},
        {R"({"image_id": 1, "timings": {"total": {"wall_ms": "2"}}})", "timings.total.wall_ms"},
        {R"({"image_id": 1, "timings": [1]})", "timings"},
        {R"({"image_id": 1, "image": {"bytes_in": -5}})", "image.bytes_in"},
        {R"({"image_id": 1, "image": {"width_in": 4294967297}})", "image.width_in"},
        {R"({"image_id": 1, "forward": {"status": 3}})", "forward.status"},
        {R"({"image_id": 1, "forward": {"error": null, "http_status": true}})", "forward.http_status"},
    };
    for (const auto& [body, field] : cases) {
        try {
            (void)parse_infer_response(body);
            ADD_FAILURE() << "accepted " << body;
        } catch (const Error& error) {
            EXPECT_EQ(error.field(), field) << body;
        }
    }
    // Absent and null members keep their defaults.
    const auto r = parse_infer_response(R"({"image_id": 1, "metrics": {}, "timings": {"parse": null}, "forward": {}})");
    ASSERT_TRUE(r.metrics.has_value());
    EXPECT_EQ(r.metrics->counts.tp, 0);
    EXPECT_EQ(r.forward.status, ForwardOutcome::Status::Disabled);
}
