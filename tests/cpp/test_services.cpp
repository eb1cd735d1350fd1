// The edge and cloud services, in process and over real HTTP on loopback.

#include <gtest/gtest.h>

#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "edgebench/cloud_service.hpp"
#include "edgebench/edge_service.hpp"
#include "edgebench/error.hpp"
#include "edgebench/http_client.hpp"
#include "edgebench/node_server.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "test_support.hpp"

using namespace edgebench;
using nlohmann::json;

namespace {

InferRequest request_for(std::size_t index) {
    SyntheticDatasetOptions options;
    const auto rendered = render_synthetic_image(options, index);
    InferRequest request;
    request.image_id = static_cast<Id>(index) + 1;
    request.image = test::encode_image(rendered.image, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});
    request.annotations = rendered.annotations;
    request.has_ground_truth = true;
    request.request_id = "req-" + std::to_string(index);
    return request;
}

// A cloud that answers after a delay, to see what a slow cloud does to an edge.
class SlowCloud final : public NodeService {
public:
    explicit SlowCloud(int delay_ms) : delay_ms_(delay_ms) {}
    InferResponse infer(InferRequest request) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
        InferResponse response;
        response.image_id = request.image_id;
        response.node = "slow-cloud";
        return response;
    }
    std::string config_json() const override { return "{}"; }
    void update_config(std::string_view) override {}
    std::string name() const override { return "slow-cloud"; }

private:
    int delay_ms_;
};

}  // namespace

TEST(EdgeService, PreprocessesAndReportsWithoutACloud) {
    EdgeConfig config;
    config.preprocess = PreprocessConfig::parse("quality=50,resize=50");
    EdgeService edge(config);
    const auto request = request_for(0);
    const auto response = edge.infer(request);
    EXPECT_EQ(response.image_id, 1);
    EXPECT_EQ(response.node, "edge");
    EXPECT_EQ(response.detector, "none");
    EXPECT_EQ(response.preprocess, "grayscale=0,resize=50,format=jpeg,quality=50");
    EXPECT_EQ(response.timings.preprocess_detail.bytes_in, request.image.size());
    EXPECT_LT(response.timings.preprocess_detail.bytes_out, request.image.size());
    EXPECT_EQ(response.timings.preprocess_detail.width_out, 160);
    EXPECT_EQ(response.forward.status, ForwardOutcome::Status::Disabled);
    EXPECT_FALSE(response.metrics.has_value());  // no detector: nothing to score
    EXPECT_GT(response.timings.total.wall_ms, 0.0);
    // A per-request preprocessing setting wins over the node's.
    auto custom = request_for(0);
    custom.preprocess = PreprocessConfig::parse("resize=25,quality=90");
    EXPECT_EQ(edge.infer(custom).timings.preprocess_detail.width_out, 80);
    // Bad images are errors, not crashes.
    auto broken = request_for(0);
    broken.image.resize(broken.image.size() / 2);
    EXPECT_THROW((void)edge.infer(broken), Error);
}

TEST(EdgeService, ConfigurationChangesApplyWithoutRestartAndBadOnesChangeNothing) {
    EdgeService edge(EdgeConfig{});
    edge.update_config(R"({"preprocess": "quality=30", "run_id": "run-7", "link": {"latency_ms": 1}})");
    EXPECT_EQ(edge.config().preprocess.quality, 30);
    EXPECT_EQ(edge.infer(request_for(1)).run_id, "run-7");
    const std::string before = edge.config_json();
    for (const char* bad : {R"({"detector": "tensorrt:x"})", R"({"preprocess": "quality=0"})", R"({"colour": 1})",
                            R"({"cloud_url": "ftp://x"})", R"({"link": {"bandwidth_mbps": -1}})", "{not json"}) {
        EXPECT_THROW(edge.update_config(bad), Error) << bad;
        EXPECT_EQ(edge.config_json(), before) << bad;
    }
    try {
        edge.update_config(R"({"detector_options": {"max_detections": 0}})");
        FAIL();
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "max_detections");
    }
    EXPECT_EQ(json::parse(edge.config_json()).count("cloud_token"), 0u);  // secrets are not echoed
}

TEST(NodeServer, EdgeForwardsToCloudOverHttp) {
    test::TempDir dir;
    auto cloud_log = std::make_shared<RequestLog>(dir / "cloud");
    auto cloud = std::make_shared<CloudService>(CloudConfig{}, DetectorRegistry::with_builtin_backends(), cloud_log);
    NodeServer cloud_server(cloud, ServerOptions{}, cloud_log);
    cloud_server.start();

    EdgeConfig config;
    config.name = "edge-a";
    config.cloud_url = cloud_server.url();
    config.preprocess = PreprocessConfig::parse("quality=50,resize=75");
    auto edge_log = std::make_shared<RequestLog>(dir / "edge");
    auto edge = std::make_shared<EdgeService>(config, DetectorRegistry::with_builtin_backends(), edge_log);
    NodeServer edge_server(edge, ServerOptions{}, edge_log);
    edge_server.start();

    HttpClient client;
    const auto health = client.get(edge_server.url() + "/healthz");
    ASSERT_TRUE(health.ok()) << health.error;
    EXPECT_EQ(json::parse(health.body)["node"], "edge-a");

    // Multipart, then JSON with base64: the same answer.
    auto request = request_for(2);
    const std::string metadata = infer_request_to_json(request, false);
    const auto multipart = client.post_multipart(
        edge_server.url() + "/v1/infer",
        {{"image", std::string_view(reinterpret_cast<const char*>(request.image.data()), request.image.size()), "image/jpeg", "x.jpg"},
         {"metadata", metadata, "application/json", ""}});
    ASSERT_EQ(multipart.status, 200) << multipart.body;
    const auto via_json = client.post(edge_server.url() + "/v1/infer", infer_request_to_json(request, true), "application/json");
    ASSERT_EQ(via_json.status, 200) << via_json.body;
    for (const auto* body : {&multipart.body, &via_json.body}) {
        const auto response = parse_infer_response(*body);
        EXPECT_EQ(response.forward.status, ForwardOutcome::Status::Ok);
        const auto cloud_answer = parse_infer_response(response.cloud_json);
        EXPECT_EQ(cloud_answer.node, "cloud");
        // The cloud received exactly the preprocessed bytes.
        EXPECT_EQ(cloud_answer.timings.preprocess_detail.bytes_in, response.timings.preprocess_detail.bytes_out);
        EXPECT_EQ(cloud_answer.timings.preprocess_detail.width_in, 240);
        EXPECT_GT(response.timings.forward.wall_ms, 0.0);
        EXPECT_GE(response.timings.parse.wall_ms, 0.0);
    }
    edge_server.stop();
    cloud_server.stop();
    // Both nodes recorded both requests, header plus two rows each.
    const auto edge_rows = test::read_text(dir / "edge" / "requests.csv");
    EXPECT_EQ(std::count(edge_rows.begin(), edge_rows.end(), '\n'), 3);
    const auto cloud_rows = test::read_text(dir / "cloud" / "requests.csv");
    EXPECT_EQ(std::count(cloud_rows.begin(), cloud_rows.end(), '\n'), 3);
    EXPECT_NE(cloud_rows.find(",cloud,"), std::string::npos);
}

TEST(NodeServer, ACloudThatIsDownOrSlowIsRecordedAndTheEdgeKeepsServing) {
    // Down: a port nobody listens on (bound and released).
    int closed_port;
    {
        NodeServer probe(std::make_shared<CloudService>(CloudConfig{}), ServerOptions{});
        closed_port = probe.port();
    }
    EdgeConfig config;
    config.cloud_url = "http://127.0.0.1:" + std::to_string(closed_port);
    EdgeService down(config);
    const auto unreachable = down.infer(request_for(0));
    EXPECT_EQ(unreachable.forward.status, ForwardOutcome::Status::Unreachable);
    EXPECT_FALSE(unreachable.forward.error.empty());

    // Slow: answers after 1.5 s, the edge waits at most 0.3 s.
    NodeServer slow(std::make_shared<SlowCloud>(1500), ServerOptions{});
    slow.start();
    config.cloud_url = slow.url();
    config.forward_timeout_s = 0.3;
    EdgeService impatient(config);
    const auto timed_out = impatient.infer(request_for(0));
    EXPECT_EQ(timed_out.forward.status, ForwardOutcome::Status::Timeout);
    EXPECT_LT(timed_out.timings.forward.wall_ms, 1400.0);
    // And it keeps serving.
    EXPECT_EQ(impatient.infer(request_for(1)).forward.status, ForwardOutcome::Status::Timeout);
    slow.stop();
}

TEST(NodeServer, EmulatedLinkDelaysForwarding) {
    auto cloud = std::make_shared<CloudService>(CloudConfig{});
    NodeServer cloud_server(cloud, ServerOptions{});
    cloud_server.start();
    EdgeConfig config;
    config.cloud_url = cloud_server.url();
    config.link.bandwidth_mbps = 1.0;  // 1 Mbit/s
    config.link.latency_ms = 50;
    EdgeService edge(config);
    const auto response = edge.infer(request_for(3));
    // Sleeping guarantees a lower bound: bytes * 8 / 1e6 seconds plus 50 ms.
    const double minimum = static_cast<double>(response.forward.bytes_sent) * 8.0 / 1e6 * 1000.0 + 50.0;
    EXPECT_GE(response.timings.forward.wall_ms, minimum);
    EXPECT_EQ(response.forward.status, ForwardOutcome::Status::Ok);
}

TEST(NodeServer, TokenLimitsAndErrorsAreJson) {
    ServerOptions options;
    options.bearer_token = "s3cret";
    options.max_body_bytes = 64 * 1024;
    NodeServer server(std::make_shared<EdgeService>(EdgeConfig{}), options);
    server.start();
    HttpClient anonymous;
    for (const char* path : {"/healthz", "/v1/config"}) {
        const auto response = anonymous.get(server.url() + path);
        EXPECT_EQ(response.status, 401) << path;
        EXPECT_EQ(json::parse(response.body)["field"], "Authorization");
    }
    HttpClient wrong(HttpClientOptions{5000, 5000, "s3creT"});
    EXPECT_EQ(wrong.get(server.url() + "/healthz").status, 401);
    HttpClient authorised(HttpClientOptions{5000, 5000, "s3cret"});
    EXPECT_EQ(authorised.get(server.url() + "/healthz").status, 200);

    const std::string big(200 * 1024, 'x');
    const auto too_big = authorised.post(server.url() + "/v1/infer", big, "application/json");
    EXPECT_EQ(too_big.status, 413);
    EXPECT_NE(json::parse(too_big.body)["error"].get<std::string>().find("size limit"), std::string::npos);

    const auto bad_put = authorised.put(server.url() + "/v1/config", R"({"detector": "nope:x"})", "application/json");
    EXPECT_EQ(bad_put.status, 400);
    EXPECT_EQ(json::parse(bad_put.body)["field"], "model");
    const auto good_put = authorised.put(server.url() + "/v1/config", R"({"preprocess": "quality=20"})", "application/json");
    EXPECT_EQ(good_put.status, 200);
    EXPECT_EQ(json::parse(good_put.body)["preprocess"], "grayscale=0,resize=100,format=jpeg,quality=20");
    EXPECT_EQ(authorised.get(server.url() + "/nowhere").status, 404);
    // No hardware monitor on this node: asking for a sample says so.
    const auto no_sample = authorised.post(server.url() + "/v1/hw/sample", "", "application/json");
    EXPECT_EQ(no_sample.status, 404);
    EXPECT_NE(json::parse(no_sample.body)["error"].get<std::string>().find("monitor"), std::string::npos);
    EXPECT_EQ(anonymous.post(server.url() + "/v1/hw/sample", "", "application/json").status, 401);

    // Still serving after all that.
    const auto request = request_for(4);
    EXPECT_EQ(authorised.post(server.url() + "/v1/infer", infer_request_to_json(request, true), "application/json").status, 200);
}

TEST(NodeServer, ServesConcurrentRequestsAndStopsCleanly) {
    test::TempDir dir;
    auto log = std::make_shared<RequestLog>(dir.path());
    auto edge = std::make_shared<EdgeService>(EdgeConfig{}, DetectorRegistry::with_builtin_backends(), log);
    ServerOptions options;
    options.workers = 4;
    NodeServer server(edge, options, log);
    server.start();
    const std::string body = infer_request_to_json(request_for(5), true);
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&] {
            HttpClient client;
            for (int i = 0; i < 10; ++i) ok += client.post(server.url() + "/v1/infer", body, "application/json").ok() ? 1 : 0;
        });
    }
    for (auto& client : clients) client.join();
    server.stop();
    EXPECT_EQ(ok.load(), 40);
    const auto rows = test::read_text(dir / "requests.csv");
    EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 41);
}
