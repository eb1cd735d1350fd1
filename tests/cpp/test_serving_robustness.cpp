// Robustness of the serving path against the real executables: malformed and hostile requests, a cloud
// that is down or slow, bearer tokens, signals with requests in flight, and the workload program's own
// command line.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "edgebench/base64.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/http_client.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "edgebench/workload.hpp"
#include "node_process.hpp"
#include "test_support.hpp"

using namespace edgebench;
using nlohmann::json;

namespace {

CocoDataset small_dataset(const std::filesystem::path& dir, std::size_t count = 8) {
    SyntheticDatasetOptions options;
    options.image_count = count;
    options.seed = 3;
    return generate_synthetic_dataset(options, dir / "synthetic");
}

// The error body every 4xx/5xx must have: JSON with a non-empty "error".
json error_body(const HttpResponse& response) {
    const json body = json::parse(response.body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error") && body["error"].is_string() &&
                !body["error"].get<std::string>().empty())
        << response.status << " " << response.body;
    return body.is_object() ? body : json::object();
}

std::string infer_json(const std::vector<std::uint8_t>& image, Id image_id = 1) {
    return json({{"image_id", image_id}, {"image_b64", base64_encode(image)}, {"request_id", "r"}}).dump();
}

// A cloud that takes its time: counts what it receives, sleeps, then answers like a cloud.
class SlowCloud {
public:
    explicit SlowCloud(std::chrono::milliseconds delay) {
        server_.Post("/v1/infer", [this, delay](const httplib::Request&, httplib::Response& response) {
            ++received_;
            std::this_thread::sleep_for(delay);
            response.set_content(R"({"image_id": 0, "node": "slow-cloud"})", "application/json");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~SlowCloud() {
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int received() const { return received_; }
    void wait_for(int count) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (received_ < count && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        ASSERT_GE(received_, count);
    }

private:
    httplib::Server server_;
    int port_ = 0;
    std::atomic<int> received_{0};
    std::thread thread_;
};

WorkloadConfig config_for(const std::string& edge, std::size_t concurrency, std::size_t requests = 0) {
    WorkloadConfig config;
    config.edges = {edge};
    config.schedule = Schedule::closed_loop(static_cast<int>(concurrency), requests);
    config.timeout_s = 60;
    return config;
}

}  // namespace

TEST(Robustness, BadRequestsGetA4xxJsonErrorNamingTheProblemAndTheNodeKeepsServing) {
    test::TempDir dir;
    const auto dataset = small_dataset(dir.path(), 1);
    const auto jpeg = read_image_bytes(dataset[0]);
    test::NodeProcess edge(test::edge_program(), {"--max-body-mb", "1", "--out", (dir / "edge").string()}, dir.path(), "edge");
    HttpClient client;
    const std::string infer = edge.url() + "/v1/infer";

    struct Bad {
        const char* what;
        std::string body;
        std::string content_type;
        std::string field;  // expected "field", or empty when any
        std::string says;   // expected in "error"
    };
    std::vector<std::uint8_t> noise(1000);
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<std::uint8_t>(i * 7919 % 251);
    const std::vector<std::uint8_t> truncated(jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(jpeg.size() / 2));
    std::string multipart_type;
    const std::string no_image = encode_multipart({{"metadata", R"({"image_id": 1})", "application/json", ""}}, multipart_type);
    std::string bad_meta_type;
    const std::string bad_metadata = encode_multipart(
        {{"image", std::string_view(reinterpret_cast<const char*>(jpeg.data()), jpeg.size()), "image/jpeg", "image"},
         {"metadata", R"({"image_id": [1]})", "application/json", ""}},
        bad_meta_type);
    const std::vector<Bad> cases = {
        {"malformed JSON", "{\"image_id\": 1, \"image_b64\": ", "application/json", "", "JSON"},
        {"wrong type", R"({"image_id": "seven", "image_b64": "AAAA"})", "application/json", "image_id", "integer"},
        {"annotations not a list", json({{"image_id", 1}, {"image_b64", base64_encode(jpeg)}, {"annotations", {{"a", 1}}}}).dump(),
         "application/json", "annotations", "array"},
        {"bad box", json({{"image_id", 1}, {"image_b64", base64_encode(jpeg)}, {"annotations", {{{"category_id", 1}, {"bbox", {1, 2, -3, 4}}}}}}).dump(),
         "application/json", "annotations[0].bbox", "non-negative"},
        {"bad base64", R"({"image_id": 1, "image_b64": "@@@@"})", "application/json", "image_b64", "base64"},
        {"not an image", infer_json(noise), "application/json", "image", "not a JPEG"},
        {"truncated JPEG", infer_json(truncated), "application/json", "image", "truncated"},
        {"empty body", "", "application/json", "body", "empty"},
        {"missing image part", no_image, multipart_type, "image", "image"},
        {"bad metadata", bad_metadata, bad_meta_type, "metadata.image_id", "integer"},
        {"unsupported type", "hello", "text/plain", "Content-Type", "Content-Type"},
    };
    for (const auto& bad : cases) {
        SCOPED_TRACE(bad.what);
        const auto response = client.post(infer, bad.body, bad.content_type);
        EXPECT_EQ(response.status, 400) << response.body;
        const json body = error_body(response);
        if (!bad.field.empty()) {
            EXPECT_EQ(body.value("field", ""), bad.field) << response.body;
        }
        EXPECT_NE(body.value("error", "").find(bad.says), std::string::npos) << response.body;
        EXPECT_TRUE(client.get(edge.url() + "/healthz").ok());
    }

    // Over the size limit (1 MiB here): 413 with a JSON body, and the edge goes on.
    const std::string huge = infer_json(std::vector<std::uint8_t>(2u << 20, 0xAB));
    const auto too_large = client.post(infer, huge, "application/json");
    EXPECT_EQ(too_large.status, 413) << too_large.body;
    EXPECT_NE(error_body(too_large).value("error", "").find("size limit"), std::string::npos);

    const auto missing = client.get(edge.url() + "/v2/nothing");
    EXPECT_EQ(missing.status, 404);
    EXPECT_NE(error_body(missing).value("error", "").find("/v2/nothing"), std::string::npos);

    // Configuration changes that cannot apply are refused and change nothing.
    const std::string before = client.get(edge.url() + "/v1/config").body;
    const auto unknown_detector = client.put(edge.url() + "/v1/config", R"({"detector": "nosuch:model.bin"})", "application/json");
    EXPECT_EQ(unknown_detector.status, 400);
    EXPECT_NE(error_body(unknown_detector).value("error", "").find("nosuch"), std::string::npos) << unknown_detector.body;
    const auto unknown_key = client.put(edge.url() + "/v1/config", R"({"qualty": 5})", "application/json");
    EXPECT_EQ(unknown_key.status, 400);
    EXPECT_EQ(error_body(unknown_key).value("field", ""), "qualty") << unknown_key.body;
    const auto bad_value = client.put(edge.url() + "/v1/config", R"({"preprocess": "quality=0"})", "application/json");
    EXPECT_EQ(bad_value.status, 400);
    EXPECT_EQ(error_body(bad_value).value("field", ""), "quality") << bad_value.body;
    const auto not_json = client.put(edge.url() + "/v1/config", "detector=none", "application/json");
    EXPECT_EQ(not_json.status, 400);
    error_body(not_json);
    EXPECT_EQ(client.get(edge.url() + "/v1/config").body, before);

    // Still serving real requests, and every failure is in the edge's records.
    const auto good = client.post(infer, infer_json(jpeg, 7), "application/json");
    EXPECT_EQ(good.status, 200) << good.body;
    EXPECT_EQ(edge.stop(), 0);
    const auto rows = test::read_csv(dir / "edge" / "requests.csv");
    EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.at("status") == "error"; }),
              static_cast<std::ptrdiff_t>(cases.size()));
    EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.at("status") == "ok"; }), 1);
}

TEST(Robustness, TheCloudRefusesBadImagesAndKeepsServing) {
    test::TempDir dir;
    test::NodeProcess cloud(test::cloud_program(), {}, dir.path(), "cloud");
    HttpClient client;
    std::string type;
    const std::string garbage = encode_multipart({{"image", "not an image at all", "image/jpeg", "image"},
                                                  {"metadata", R"({"image_id": 3})", "application/json", ""}},
                                                 type);
    const auto refused = client.post(cloud.url() + "/v1/infer", garbage, type);
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(error_body(refused).value("field", ""), "image");
    EXPECT_TRUE(client.get(cloud.url() + "/healthz").ok());
    EXPECT_EQ(cloud.stop(), 0);
}

TEST(Robustness, ATokenIsRequiredOnEveryEndpoint) {
    test::TempDir dir;
    const auto dataset = small_dataset(dir.path(), 2);
    test::NodeProcess edge(test::edge_program(), {"--token", "s3cret"}, dir.path(), "edge", "s3cret");
    HttpClientOptions none_options;
    HttpClientOptions wrong_options;
    wrong_options.bearer_token = "guess";
    HttpClientOptions right_options;
    right_options.bearer_token = "s3cret";
    HttpClient none(none_options), wrong(wrong_options), right(right_options);
    const std::string body = infer_json(read_image_bytes(dataset[0]));
    // In this order on one keep-alive connection: a refused request with a body must not leave that body
    // behind to be misread as the next request.
    for (HttpClient* client : {&none, &wrong}) {
        SCOPED_TRACE(client == &none ? "no token" : "wrong token");
        for (const auto& response : {client->get(edge.url() + "/healthz"), client->get(edge.url() + "/v1/config"),
                                     client->put(edge.url() + "/v1/config", "{}", "application/json"),
                                     client->post(edge.url() + "/v1/infer", body, "application/json"),
                                     client->get(edge.url() + "/nothing")}) {
            EXPECT_EQ(response.status, 401) << response.body;
            EXPECT_EQ(error_body(response).value("field", ""), "Authorization");
        }
    }
    EXPECT_EQ(right.get(edge.url() + "/healthz").status, 200);
    EXPECT_EQ(right.get(edge.url() + "/v1/config").status, 200);
    EXPECT_EQ(right.put(edge.url() + "/v1/config", "{}", "application/json").status, 200);
    EXPECT_EQ(right.post(edge.url() + "/v1/infer", body, "application/json").status, 200);

    // The workload client: with the token every request succeeds; without, each is recorded as refused.
    auto config = config_for(edge.url(), 2);
    config.token = "s3cret";
    const auto allowed = run_workload(config, dataset);
    EXPECT_EQ(allowed.summary.ok, dataset.size());
    config.token.clear();
    const auto refused = run_workload(config, dataset);
    ASSERT_EQ(refused.records.size(), dataset.size());
    for (const auto& r : refused.records) {
        EXPECT_EQ(r.status, RequestStatus::HttpError);
        EXPECT_EQ(r.http_status, 401);
        EXPECT_NE(r.error.find("bearer token"), std::string::npos) << r.error;
    }
}

TEST(Robustness, ACloudThatIsDownIsRecordedPerRequestAndTheEdgeKeepsServing) {
    test::TempDir dir;
    const auto dataset = small_dataset(dir.path());
    test::NodeProcess cloud(test::cloud_program(), {}, dir.path(), "cloud");
    test::NodeProcess edge(test::edge_program(), {"--cloud", cloud.url(), "--out", (dir / "edge").string()}, dir.path(), "edge");
    const auto config = config_for(edge.url(), 2);

    const auto before = run_workload(config, dataset);
    for (const auto& r : before.records) {
        ASSERT_TRUE(r.ok()) << r.error;
        EXPECT_EQ(r.edge_response->forward.status, ForwardOutcome::Status::Ok);
    }
    ASSERT_EQ(cloud.stop(), 0);
    const auto after = run_workload(config, dataset);
    ASSERT_EQ(after.records.size(), dataset.size());
    for (const auto& r : after.records) {
        ASSERT_TRUE(r.ok()) << r.error;  // the edge still answers...
        EXPECT_EQ(r.edge_response->forward.status, ForwardOutcome::Status::Unreachable);  // ...and says why
        EXPECT_FALSE(r.edge_response->forward.error.empty());
        EXPECT_FALSE(r.cloud_response.has_value());
    }
    EXPECT_EQ(edge.stop(), 0);
    const auto rows = test::read_csv(dir / "edge" / "requests.csv");
    ASSERT_EQ(rows.size(), 2 * dataset.size());
    EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.at("forward_status") == "unreachable"; }),
              static_cast<std::ptrdiff_t>(dataset.size()));
}

TEST(Robustness, ASlowCloudTimesOutPerRequestAndTheEdgeKeepsServing) {
    test::TempDir dir;
    const auto dataset = small_dataset(dir.path(), 3);
    SlowCloud slow(std::chrono::milliseconds(1500));
    test::NodeProcess edge(test::edge_program(), {"--cloud", slow.url(), "--forward-timeout", "0.2"}, dir.path(), "edge");
    const auto result = run_workload(config_for(edge.url(), 3), dataset);
    ASSERT_EQ(result.records.size(), dataset.size());
    for (const auto& r : result.records) {
        ASSERT_TRUE(r.ok()) << r.error;
        EXPECT_EQ(r.edge_response->forward.status, ForwardOutcome::Status::Timeout);
    }
    EXPECT_TRUE(HttpClient().get(edge.url() + "/healthz").ok());
}

TEST(Robustness, ACloudAnsweringSomethingOtherThanJsonIsAForwardFailureNotABrokenResponse) {
    test::TempDir dir;
    const auto dataset = small_dataset(dir.path(), 2);
    httplib::Server odd;
    odd.Post("/v1/infer", [](const httplib::Request&, httplib::Response& response) { response.set_content("OK", "text/plain"); });
    const int port = odd.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { odd.listen_after_bind(); });
    while (!odd.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    test::NodeProcess edge(test::edge_program(), {"--cloud", "http://127.0.0.1:" + std::to_string(port)}, dir.path(), "edge");
    const auto result = run_workload(config_for(edge.url(), 1), dataset);
    odd.stop();
    serving.join();
    for (const auto& r : result.records) {
        ASSERT_TRUE(r.ok()) << r.error;
        EXPECT_EQ(r.edge_response->forward.status, ForwardOutcome::Status::Failed);
        EXPECT_NE(r.edge_response->forward.error.find("not JSON"), std::string::npos) << r.edge_response->forward.error;
    }
}

class Shutdown : public ::testing::TestWithParam<int> {};

TEST_P(Shutdown, AnEdgeSignalledWithRequestsInFlightFinishesThemFlushesItsRecordsAndExitsZero) {
    const int signal = GetParam();
    test::TempDir dir;
    const auto dataset = small_dataset(dir.path());
    SlowCloud slow(std::chrono::milliseconds(800));
    test::NodeProcess edge(test::edge_program(), {"--cloud", slow.url(), "--out", (dir / "edge").string()}, dir.path(), "edge");

    // Eight requests, four at a time: the first four are in flight (held by the slow cloud) when the
    // signal arrives; the rest find the edge gone and are recorded as failures.
    WorkloadResult result;
    std::thread client([&] { result = run_workload(config_for(edge.url(), 4, 8), dataset); });
    slow.wait_for(4);
    edge.process().send_signal(signal);
    client.join();
    EXPECT_EQ(edge.process().wait(std::chrono::seconds(30)), 0) << edge.process().log();

    ASSERT_EQ(result.records.size(), 8u);
    std::set<std::string> served;
    for (const auto& r : result.records) {
        if (r.ok()) {
            served.insert(r.request_id);
            EXPECT_EQ(r.edge_response->forward.status, ForwardOutcome::Status::Ok);
        } else {
            EXPECT_TRUE(r.status == RequestStatus::Unreachable || r.status == RequestStatus::Failed) << to_string(r.status);
        }
    }
    EXPECT_GE(served.size(), 4u);
    const auto rows = test::read_csv(dir / "edge" / "requests.csv");
    std::set<std::string> recorded;
    for (const auto& row : rows) recorded.insert(row.at("request_id"));
    EXPECT_EQ(recorded, served);
}

INSTANTIATE_TEST_SUITE_P(Signals, Shutdown, ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& param) { return param.param == SIGTERM ? "SIGTERM" : "SIGINT"; });

TEST(WorkloadProgram, HelpBadUsageAndFailuresExitWithOneLine) {
    test::TempDir dir;
    const std::string program = test::workload_program();
    const auto help = test::run_command(program + " --help");
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.output.find("--schedule"), std::string::npos);
    EXPECT_NE(help.output.find("EDGEBENCH_TOKEN"), std::string::npos);

    auto one_line = [](const test::CommandResult& result) {
        return std::count(result.output.begin(), result.output.end(), '\n') == 1;
    };
    for (const std::string args : {"--dataset x.json", "--edge http://127.0.0.1:1 --dataset x.json --schedule sometimes",
                                   "--edge http://127.0.0.1:1 --dataset x.json --rate 5",
                                   "--edge http://127.0.0.1:1 --dataset x.json --schedule open",
                                   "--edge 127.0.0.1:1 --dataset x.json", "--edge http://127.0.0.1:1 --format xml --dataset x.json",
                                   "--edge http://127.0.0.1:1 --dataset x.json --concurrency many --schedule closed"}) {
        SCOPED_TRACE(args);
        const auto result = test::run_command(program + " " + args);
        EXPECT_EQ(result.status, 2) << result.output;
        EXPECT_TRUE(one_line(result)) << result.output;
    }
    const auto missing = test::run_command(program + " --edge http://127.0.0.1:1 --dataset " + (dir / "nope.json").string());
    EXPECT_EQ(missing.status, 1) << missing.output;
    EXPECT_TRUE(one_line(missing)) << missing.output;
    EXPECT_NE(missing.output.find("nope.json: file not found"), std::string::npos) << missing.output;

    // Nothing listens there: every request fails, is recorded, and the program says so with status 1.
    small_dataset(dir.path(), 2);
    const auto nobody = test::run_command(program + " --edge http://127.0.0.1:9 --dataset " +
                                          (dir / "synthetic" / "instances.json").string() + " --out " + (dir / "out").string());
    EXPECT_EQ(nobody.status, 1) << nobody.output;
    EXPECT_NE(nobody.output.find("all 2 requests failed"), std::string::npos) << nobody.output;
    EXPECT_EQ(test::read_csv(dir / "out" / "client_requests.csv").size(), 2u);
}

TEST(WorkloadProgram, RunsAScheduleWithATokenFromTheEnvironmentAndWritesRecordsAndSummary) {
    test::TempDir dir;
    small_dataset(dir.path(), 10);
    test::NodeProcess cloud(test::cloud_program(), {"--token", "t0ken"}, dir.path(), "cloud", "t0ken");
    test::NodeProcess edge(test::edge_program(), {"--token", "t0ken", "--cloud", cloud.url(), "--cloud-token", "t0ken"},
                           dir.path(), "edge", "t0ken");
    test::ChildProcess workload({test::workload_program(), "--edge", edge.url(), "--dataset",
                                 (dir / "synthetic" / "instances.json").string(), "--schedule", "closed", "--concurrency",
                                 "2", "--warmup", "1", "--format", "json", "--run-id", "prog", "--out", (dir / "out").string()},
                                dir / "workload.log", {{"EDGEBENCH_TOKEN", "t0ken"}});
    ASSERT_EQ(workload.wait(std::chrono::seconds(120)), 0) << workload.log();
    EXPECT_NE(workload.log().find("p99_ms"), std::string::npos) << workload.log();
    const auto rows = test::read_csv(dir / "out" / "client_requests.csv");
    ASSERT_EQ(rows.size(), 10u);
    for (const auto& row : rows) {
        EXPECT_EQ(row.at("status"), "ok") << row.at("error");
        EXPECT_EQ(row.at("run_id"), "prog");
        EXPECT_EQ(row.at("format"), "json");
        EXPECT_EQ(row.at("forward_status"), "ok");
    }
    const json summary = json::parse(test::read_text(dir / "out" / "client_summary.json"));
    EXPECT_EQ(summary["summary"]["ok"], 10);
    EXPECT_EQ(summary["warmup"]["sent"], 1);
    EXPECT_EQ(summary["config"]["token_set"], true);
    EXPECT_EQ(summary["interrupted"], false);
}

TEST(WorkloadProgram, SigintWithRequestsInFlightKeepsTheRecordsAndExitsZero) {
    test::TempDir dir;
    small_dataset(dir.path(), 10);
    SlowCloud slow(std::chrono::milliseconds(400));
    test::NodeProcess edge(test::edge_program(), {"--cloud", slow.url(), "--out", (dir / "edge").string()}, dir.path(), "edge");
    test::ChildProcess workload({test::workload_program(), "--edge", edge.url(), "--dataset",
                                 (dir / "synthetic" / "instances.json").string(), "--schedule", "closed", "--concurrency",
                                 "2", "--requests", "100", "--out", (dir / "out").string()},
                                dir / "workload.log");
    slow.wait_for(4);
    workload.send_signal(SIGINT);
    ASSERT_EQ(workload.wait(std::chrono::seconds(60)), 0) << workload.log();
    EXPECT_NE(workload.log().find("interrupted"), std::string::npos) << workload.log();

    const auto rows = test::read_csv(dir / "out" / "client_requests.csv");
    EXPECT_GE(rows.size(), 3u);
    EXPECT_LT(rows.size(), 100u);
    const json summary = json::parse(test::read_text(dir / "out" / "client_summary.json"));
    EXPECT_EQ(summary["interrupted"], true);
    EXPECT_EQ(summary["sent"], rows.size());
    // The requests in flight at the signal completed: every recorded one succeeded, and the edge has it.
    EXPECT_EQ(edge.stop(), 0);
    std::set<std::string> at_edge;
    for (const auto& row : test::read_csv(dir / "edge" / "requests.csv")) at_edge.insert(row.at("request_id"));
    for (const auto& row : rows) {
        EXPECT_EQ(row.at("status"), "ok") << row.at("error");
        EXPECT_EQ(at_edge.count(row.at("request_id")), 1u) << row.at("request_id");
    }
}
