// End to end: a real edgebench-cloud and two real edgebench-edge processes on loopback, driven by the
// workload client with every schedule and both wire formats. Checks that no request is lost or
// duplicated, that ids, bytes and sizes agree with the preprocessing, that the nodes' own records match
// the client's, and (with an in-process edge running a real detector) that every per-request score
// equals the Evaluator's on the same detections.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "blob_detector.hpp"
#include "edgebench/cloud_service.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/edge_service.hpp"
#include "edgebench/evaluator.hpp"
#include "edgebench/node_server.hpp"
#include "edgebench/preprocessor.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "edgebench/workload.hpp"
#include "node_process.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {

constexpr std::size_t kImages = 50;
constexpr std::size_t kWarmup = 2;
const char* kPreprocess = "resize=75,quality=50";

// 50 COCO-sample images, or synthetic ones where ../shared is absent.
CocoDataset fifty_images(const std::filesystem::path& dir) {
    const auto json = test::coco_sample_json();
    if (!json.empty()) return CocoDataset::load(json).first(kImages);
    SyntheticDatasetOptions options;
    options.image_count = kImages;
    options.width = 640;
    options.height = 480;
    return generate_synthetic_dataset(options, dir / "synthetic");
}

// A cloud and two edges that forward to it, each with its own records folder.
struct Deployment {
    explicit Deployment(const std::filesystem::path& dir)
        : cloud(test::cloud_program(), {"--name", "cloud", "--out", (dir / "cloud").string()}, dir, "cloud"),
          edge_a(test::edge_program(),
                 {"--name", "edge-a", "--preprocess", kPreprocess, "--cloud", cloud.url(), "--out", (dir / "edge-a").string()},
                 dir, "edge-a"),
          edge_b(test::edge_program(),
                 {"--name", "edge-b", "--preprocess", kPreprocess, "--cloud", cloud.url(), "--out", (dir / "edge-b").string()},
                 dir, "edge-b") {}
    test::NodeProcess cloud;
    test::NodeProcess edge_a;
    test::NodeProcess edge_b;
};

struct Case {
    const char* name;
    Schedule schedule;
    WireFormat format;
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.name; }

std::map<std::string, std::map<std::string, std::string>> rows_by_request(const std::filesystem::path& csv) {
    std::map<std::string, std::map<std::string, std::string>> rows;
    for (auto& row : test::read_csv(csv)) {
        const std::string id = row.at("request_id");
        EXPECT_EQ(rows.count(id), 0u) << "request " << id << " recorded twice in " << csv;
        rows[id] = std::move(row);
    }
    return rows;
}

class EndToEnd : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(EndToEnd, EveryImageGoesThroughTheEdgesToTheCloudExactlyOnceAndTheRecordsAgree) {
    const Case& c = GetParam();
    test::TempDir dir;
    const CocoDataset dataset = fifty_images(dir.path());
    ASSERT_EQ(dataset.size(), kImages);
    Deployment nodes(dir.path());

    WorkloadConfig config;
    config.edges = {nodes.edge_a.url(), nodes.edge_b.url()};
    config.format = c.format;
    config.schedule = c.schedule;
    config.warmup_requests = kWarmup;
    config.run_id = std::string("e2e-") + c.name;
    config.timeout_s = 60;
    const auto plan = plan_requests(config, dataset.size());

    WorkloadRecordWriter writer(dir / "client");
    std::size_t callbacks = 0;
    const WorkloadResult result = run_workload(config, dataset, [&](const RequestRecord& r) {
        ++callbacks;
        writer.append(r);
    });
    writer.write_summary(result);

    // Exactly the planned requests, each once, all answered.
    ASSERT_EQ(result.records.size(), plan.size());
    EXPECT_EQ(callbacks, plan.size());
    EXPECT_FALSE(result.interrupted);
    EXPECT_EQ(result.warmup_sent, kWarmup * 2);
    EXPECT_EQ(result.warmup_failed, 0u) << result.warmup_error;
    EXPECT_EQ(result.summary.count, plan.size());
    EXPECT_EQ(result.summary.ok, plan.size());
    EXPECT_EQ(result.per_edge[0].count + result.per_edge[1].count, plan.size());
    EXPECT_GT(result.summary.throughput_rps, 0);
    EXPECT_LE(result.summary.p50_ms, result.summary.p99_ms);

    // What each image should become on the edge.
    const Preprocessor preprocessor(PreprocessConfig::parse(kPreprocess));
    std::map<Id, std::pair<std::size_t, std::size_t>> expected_bytes;  // image id -> (file bytes, forwarded bytes)
    for (const auto& sample : dataset) {
        const auto bytes = read_image_bytes(sample);
        expected_bytes[sample.id] = {bytes.size(), preprocessor.process(bytes, false).encoded.size()};
    }

    std::set<std::string> ids;
    const std::string edge_names[] = {"edge-a", "edge-b"};
    for (std::size_t k = 0; k < result.records.size(); ++k) {
        const RequestRecord& r = result.records[k];
        SCOPED_TRACE(r.request_id);
        const PlannedRequest& p = plan[k];
        const ImageSample& sample = dataset[p.image];
        EXPECT_EQ(r.index, k);
        EXPECT_EQ(r.request_id, config.run_id + "-" + std::to_string(k));
        EXPECT_TRUE(ids.insert(r.request_id).second);
        EXPECT_EQ(r.image_id, sample.id);
        EXPECT_EQ(r.edge_index, p.edge);
        EXPECT_EQ(r.edge, config.edges[p.edge]);
        ASSERT_EQ(r.status, RequestStatus::Ok) << r.error;
        EXPECT_EQ(r.http_status, 200);
        EXPECT_TRUE(r.error.empty()) << r.error;
        EXPECT_GE(r.latency_ms, r.round_trip_ms - 1e-9);
        EXPECT_GE(r.round_trip_ms, 0);

        // Bytes: the file went out whole (raw or base64) and the edge forwarded its preprocessed version.
        const auto [file_bytes, forwarded_bytes] = expected_bytes.at(sample.id);
        EXPECT_EQ(r.image_bytes, file_bytes);
        if (c.format == WireFormat::Json) {
            EXPECT_GE(r.bytes_sent, (file_bytes + 2) / 3 * 4);
        } else {
            EXPECT_GT(r.bytes_sent, file_bytes);
            EXPECT_LT(r.bytes_sent, file_bytes + 64 * 1024);  // no base64 inflation
        }
        ASSERT_TRUE(r.edge_response.has_value());
        const InferResponse& edge = *r.edge_response;
        EXPECT_EQ(edge.node, edge_names[p.edge]);
        EXPECT_EQ(edge.request_id, r.request_id);
        EXPECT_EQ(edge.run_id, config.run_id);
        EXPECT_EQ(edge.image_id, sample.id);
        const auto& size = edge.timings.preprocess_detail;
        EXPECT_EQ(size.bytes_in, file_bytes);
        EXPECT_EQ(size.bytes_out, forwarded_bytes);
        EXPECT_EQ(size.width_in, sample.width);
        EXPECT_EQ(size.height_in, sample.height);
        EXPECT_EQ(size.width_out, std::lround(sample.width * 0.75));
        EXPECT_EQ(size.height_out, std::lround(sample.height * 0.75));
        EXPECT_GT(edge.timings.total.wall_ms, 0);
        // The `none` detector finds nothing and scores nothing.
        EXPECT_TRUE(edge.detections.empty());
        EXPECT_FALSE(edge.metrics.has_value());

        // The cloud received the forwarded image.
        EXPECT_EQ(edge.forward.status, ForwardOutcome::Status::Ok) << edge.forward.error;
        ASSERT_TRUE(r.cloud_response.has_value());
        const InferResponse& cloud = *r.cloud_response;
        EXPECT_EQ(cloud.node, "cloud");
        EXPECT_EQ(cloud.request_id, r.request_id);
        EXPECT_EQ(cloud.image_id, sample.id);
        EXPECT_EQ(cloud.timings.preprocess_detail.bytes_in, forwarded_bytes);
        EXPECT_EQ(cloud.timings.preprocess_detail.width_in, size.width_out);
        EXPECT_EQ(cloud.timings.preprocess_detail.height_in, size.height_out);
    }

    // The nodes' own records: every timed request once on its edge and once on the cloud, with the same
    // image and bytes; the warm-up requests recorded there too, under their own ids.
    auto edge_rows = {rows_by_request(dir / "edge-a" / "requests.csv"), rows_by_request(dir / "edge-b" / "requests.csv")};
    const auto cloud_rows = rows_by_request(dir / "cloud" / "requests.csv");
    std::size_t edge_index = 0;
    for (const auto& rows : edge_rows) {
        std::size_t timed = 0;
        for (const auto& [id, row] : rows) {
            if (id.find("-warmup-") != std::string::npos) continue;
            ++timed;
            const RequestRecord* record = nullptr;
            for (const auto& r : result.records) {
                if (r.request_id == id) record = &r;
            }
            ASSERT_NE(record, nullptr) << "the edge served " << id << ", which the client did not send";
            EXPECT_EQ(record->edge_index, edge_index);
            EXPECT_EQ(row.at("status"), "ok");
            EXPECT_EQ(row.at("run_id"), config.run_id);
            EXPECT_EQ(row.at("image_id"), std::to_string(record->image_id));
            EXPECT_EQ(row.at("bytes_in"), std::to_string(record->edge_response->timings.preprocess_detail.bytes_in));
            EXPECT_EQ(row.at("bytes_out"), std::to_string(record->edge_response->timings.preprocess_detail.bytes_out));
            EXPECT_EQ(row.at("forward_status"), "ok");
            EXPECT_EQ(row.at("node"), edge_names[edge_index]);
        }
        EXPECT_EQ(timed, result.per_edge[edge_index].count);
        EXPECT_EQ(rows.size() - timed, kWarmup);
        ++edge_index;
    }
    EXPECT_EQ(cloud_rows.size(), result.records.size() + 2 * kWarmup);
    for (const auto& r : result.records) {
        const auto found = cloud_rows.find(r.request_id);
        ASSERT_NE(found, cloud_rows.end()) << r.request_id << " never reached the cloud";
        EXPECT_EQ(found->second.at("image_id"), std::to_string(r.image_id));
        EXPECT_EQ(found->second.at("bytes_in"), std::to_string(r.edge_response->timings.preprocess_detail.bytes_out));
    }

    // The client's own files: one row per request, and the summary.
    const auto client_rows = rows_by_request(dir / "client" / "client_requests.csv");
    EXPECT_EQ(client_rows.size(), result.records.size());
    for (const auto& r : result.records) {
        const auto& row = client_rows.at(r.request_id);
        EXPECT_EQ(row.at("status"), "ok");
        EXPECT_EQ(row.at("edge_node"), edge_names[r.edge_index]);
        EXPECT_EQ(row.at("cloud_node"), "cloud");
        EXPECT_EQ(row.at("format"), to_string(c.format));
    }
    const std::string summary = test::read_text(dir / "client" / "client_summary.json");
    EXPECT_NE(summary.find("\"p99_ms\""), std::string::npos);
    EXPECT_NE(summary.find("\"interrupted\": false"), std::string::npos);

    // The nodes shut down cleanly on SIGTERM.
    EXPECT_EQ(nodes.edge_a.stop(), 0);
    EXPECT_EQ(nodes.edge_b.stop(), 0);
    EXPECT_EQ(nodes.cloud.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Schedules, EndToEnd,
    ::testing::Values(Case{"round_robin_multipart", Schedule::round_robin(25, 2, true), WireFormat::Multipart},
                      Case{"round_robin_json", Schedule::round_robin(25, 2, true), WireFormat::Json},
                      Case{"closed_loop_multipart", Schedule::closed_loop(4), WireFormat::Multipart},
                      Case{"closed_loop_json", Schedule::closed_loop(4), WireFormat::Json},
                      Case{"open_loop_multipart", Schedule::open_loop(80, 0, 0, 11), WireFormat::Multipart},
                      Case{"open_loop_json", Schedule::open_loop(80, 0, 0, 11), WireFormat::Json}),
    [](const ::testing::TestParamInfo<Case>& param) { return std::string(param.param.name); });

// Scoring through the whole path: an edge and a cloud running a real (classical) detector in-process,
// behind real HTTP servers. Every per-request score must equal score_image() on the detections returned,
// and their sum the Evaluator's operating point over the same detections.
TEST(EndToEndScoring, PerRequestScoresEqualTheEvaluatorOnTheSameDetections) {
    test::TempDir dir;
    SyntheticDatasetOptions options;
    options.image_count = 30;
    options.seed = 17;
    const CocoDataset dataset = generate_synthetic_dataset(options, dir / "synthetic");

    CloudConfig cloud_config;
    cloud_config.detector = "blobs";
    auto cloud_service = std::make_shared<CloudService>(cloud_config, test::registry_with_blob_detector());
    NodeServer cloud(cloud_service, ServerOptions{});
    cloud.start();

    EdgeConfig edge_config;
    edge_config.name = "edge-blobs";
    edge_config.detector = "blobs";
    edge_config.preprocess = PreprocessConfig::parse("quality=90");
    edge_config.cloud_url = cloud.url();
    auto edge_service = std::make_shared<EdgeService>(edge_config, test::registry_with_blob_detector());
    NodeServer edge(edge_service, ServerOptions{});
    edge.start();

    for (const WireFormat format : {WireFormat::Multipart, WireFormat::Json}) {
        SCOPED_TRACE(to_string(format));
        WorkloadConfig config;
        config.edges = {edge.url()};
        config.format = format;
        config.schedule = Schedule::closed_loop(3);
        const WorkloadResult result = run_workload(config, dataset);
        ASSERT_EQ(result.records.size(), dataset.size());

        DetectionsByImage edge_detections;
        DetectionsByImage cloud_detections;
        std::int64_t edge_tp = 0, edge_fp = 0, edge_fn = 0, cloud_tp = 0, cloud_fp = 0, cloud_fn = 0;
        for (const auto& r : result.records) {
            ASSERT_EQ(r.status, RequestStatus::Ok) << r.error;
            const ImageSample& sample = dataset.at(r.image_id);
            ASSERT_TRUE(r.edge_response && r.edge_response->metrics);
            ASSERT_TRUE(r.cloud_response && r.cloud_response->metrics);
            const auto& edge_found = r.edge_response->detections;
            const auto& cloud_found = r.cloud_response->detections;
            const ImageMetrics expected_edge = score_image(sample.annotations, edge_found, 0.5, 0.5);
            const ImageMetrics expected_cloud = score_image(sample.annotations, cloud_found, 0.5, 0.5);
            const auto& m = *r.edge_response->metrics;
            EXPECT_EQ(m.counts.tp, expected_edge.counts.tp);
            EXPECT_EQ(m.counts.fp, expected_edge.counts.fp);
            EXPECT_EQ(m.counts.fn, expected_edge.counts.fn);
            EXPECT_DOUBLE_EQ(m.counts.f1, expected_edge.counts.f1);
            EXPECT_EQ(m.ground_truth, expected_edge.ground_truth);
            const auto& cm = *r.cloud_response->metrics;
            EXPECT_EQ(cm.counts.tp, expected_cloud.counts.tp);
            EXPECT_EQ(cm.counts.fp, expected_cloud.counts.fp);
            EXPECT_EQ(cm.counts.fn, expected_cloud.counts.fn);
            EXPECT_DOUBLE_EQ(cm.counts.f1, expected_cloud.counts.f1);
            edge_tp += m.counts.tp;
            edge_fp += m.counts.fp;
            edge_fn += m.counts.fn;
            cloud_tp += cm.counts.tp;
            cloud_fp += cm.counts.fp;
            cloud_fn += cm.counts.fn;
            edge_detections[r.image_id] = edge_found;
            cloud_detections[r.image_id] = cloud_found;
            // The edge scored what it sent back: its boxes lie in the original image.
            for (const auto& d : edge_found) {
                EXPECT_LE(d.bbox.right(), sample.width + 1e-6);
                EXPECT_LE(d.bbox.bottom(), sample.height + 1e-6);
            }
        }
        const EvaluationResult edge_eval = evaluate(dataset, edge_detections);
        EXPECT_EQ(edge_eval.micro.tp, edge_tp);
        EXPECT_EQ(edge_eval.micro.fp, edge_fp);
        EXPECT_EQ(edge_eval.micro.fn, edge_fn);
        const EvaluationResult cloud_eval = evaluate(dataset, cloud_detections);
        EXPECT_EQ(cloud_eval.micro.tp, cloud_tp);
        EXPECT_EQ(cloud_eval.micro.fp, cloud_fp);
        EXPECT_EQ(cloud_eval.micro.fn, cloud_fn);
        // The detector is real: it finds a good share of the shapes.
        EXPECT_GT(edge_tp, static_cast<std::int64_t>(dataset.annotation_count() / 4));
    }
}
