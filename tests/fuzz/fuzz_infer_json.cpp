// The wire protocol's JSON (infer_protocol.cpp): a node reads requests (`POST /v1/infer` JSON bodies and
// the `metadata` part of multipart ones) and clients and edges read responses. Each reader either fails
// with `Error` or returns a value that its writer turns into JSON that reads back to the same value, which
// is what an edge relies on when it forwards a request, and a workload client when it records a response.
// parse_infer_json has a fast path that cuts a plain `image_b64` string out before parsing the rest; it
// must accept exactly the documents a full parse accepts and read the same request from them.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "edgebench/infer_protocol.hpp"
#include "internal/json_member_scan.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace edgebench;

bool same_annotations(const std::vector<Annotation>& a, const std::vector<Annotation>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Annotation& x, const Annotation& y) {
        return x.id == y.id && x.image_id == y.image_id && x.category_id == y.category_id && x.bbox == y.bbox &&
               (x.area == y.area || (x.area != x.area && y.area != y.area)) && x.iscrowd == y.iscrowd;
    });
}

void check_same_request(const InferRequest& a, const InferRequest& b) {
    fuzz::check(a.image_id == b.image_id, "request round trip: image_id");
    fuzz::check(a.has_ground_truth == b.has_ground_truth, "request round trip: has_ground_truth");
    fuzz::check(same_annotations(a.annotations, b.annotations), "request round trip: annotations");
    fuzz::check(a.preprocess == b.preprocess, "request round trip: preprocess");
    fuzz::check(a.request_id == b.request_id && a.run_id == b.run_id, "request round trip: ids");
    fuzz::check(std::max(a.original_width, 0) == std::max(b.original_width, 0) &&
                    std::max(a.original_height, 0) == std::max(b.original_height, 0),
                "request round trip: original size");
    fuzz::check(a.scale_x == b.scale_x && a.scale_y == b.scale_y, "request round trip: scales");
    fuzz::check(a.edge == b.edge && a.edge_detections == b.edge_detections, "request round trip: edge");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::text_of(data, size);

    fuzz::expect_errors_only([&] {
        const InferRequest request = parse_infer_json(text);
        fuzz::check(!request.image.empty(), "a JSON request without image bytes was accepted");
        const InferRequest again = parse_infer_json(infer_request_to_json(request, true));
        check_same_request(request, again);
        fuzz::check(request.image == again.image, "request round trip: image");
    });

    // The fast path against a full parse. The fast path must accept only JSON; and where the image string
    // holds a '/', the same document with it written "\/" is off the fast path (an escape) and must give
    // the same answer and the same request.
    if (const auto member = detail::find_plain_string_member(text, "image_b64")) {
        InferRequest fast;
        const bool fast_ok = fuzz::expect_errors_only([&] { fast = parse_infer_json(text); });
        fuzz::check(!fast_ok || nlohmann::json::accept(text), "the JSON fast path accepted a document that is not JSON");
        const std::string_view value = text.substr(member->begin, member->end - member->begin);
        if (const auto slash = value.find('/'); slash != std::string_view::npos) {
            std::string slow(text.substr(0, member->begin + slash));
            slow.append("\\/").append(text.substr(member->begin + slash + 1));
            fuzz::check(!detail::find_plain_string_member(slow, "image_b64"), "an escaped image string is still plain");
            InferRequest full;
            const bool full_ok = fuzz::expect_errors_only([&] { full = parse_infer_json(slow); });
            fuzz::check(fast_ok == full_ok, "the JSON fast path and a full parse disagree on accepting a request");
            if (fast_ok) {
                check_same_request(fast, full);
                fuzz::check(fast.image == full.image, "the JSON fast path and a full parse read different images");
            }
        }
    }

    fuzz::expect_errors_only([&] {
        const InferRequest request = parse_infer_metadata(text, {0xFF, 0xD8});
        const InferRequest again = parse_infer_metadata(infer_request_to_json(request, false), {0xFF, 0xD8});
        check_same_request(request, again);
    });

    fuzz::expect_errors_only([&] {
        const InferResponse response = parse_infer_response(text);
        const InferResponse again = parse_infer_response(infer_response_to_json(response));
        fuzz::check(response.image_id == again.image_id && response.node == again.node &&
                        response.request_id == again.request_id && response.run_id == again.run_id &&
                        response.detector == again.detector && response.preprocess == again.preprocess,
                    "response round trip: names");
        fuzz::check(response.detections == again.detections, "response round trip: detections");
        fuzz::check(response.metrics.has_value() == again.metrics.has_value(), "response round trip: metrics");
        fuzz::check(response.forward.status == again.forward.status &&
                        response.forward.http_status == again.forward.http_status &&
                        response.forward.error == again.forward.error,
                    "response round trip: forward");
    });
    return 0;
}
