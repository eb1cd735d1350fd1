// Schedules (which request goes where, when) and latency statistics, on hand-computed data.

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "edgebench/error.hpp"
#include "edgebench/workload.hpp"
#include "node_process.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {

WorkloadConfig two_edges(Schedule schedule) {
    WorkloadConfig config;
    config.edges = {"http://127.0.0.1:1", "http://127.0.0.1:2"};
    config.schedule = schedule;
    return config;
}

std::vector<std::size_t> images_of(const std::vector<PlannedRequest>& plan, std::size_t edge) {
    std::vector<std::size_t> images;
    for (const auto& p : plan) {
        if (p.edge == edge) images.push_back(p.image);
    }
    return images;
}

RequestRecord record(double scheduled_ms, double latency_ms, RequestStatus status = RequestStatus::Ok, std::size_t edge = 0) {
    RequestRecord r;
    r.scheduled_ms = scheduled_ms;
    r.sent_ms = scheduled_ms;
    r.latency_ms = latency_ms;
    r.round_trip_ms = latency_ms;
    r.completed_ms = scheduled_ms + latency_ms;
    r.status = status;
    r.edge_index = edge;
    return r;
}

}  // namespace

TEST(WorkloadPlan, RoundRobinSendsEachEdgeItsImagesXTimesThenTheNextEdge) {
    const auto plan = plan_requests(two_edges(Schedule::round_robin(3, 2)), 5);
    ASSERT_EQ(plan.size(), 12u);
    // Edge 0 first, all of its turns, then edge 1: the original study's order.
    for (std::size_t k = 0; k < 6; ++k) EXPECT_EQ(plan[k].edge, 0u);
    for (std::size_t k = 6; k < 12; ++k) EXPECT_EQ(plan[k].edge, 1u);
    EXPECT_EQ(images_of(plan, 0), (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
    EXPECT_EQ(images_of(plan, 1), (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
    for (std::size_t k = 0; k < plan.size(); ++k) {
        EXPECT_EQ(plan[k].index, k);
        EXPECT_EQ(plan[k].offset_s, 0.0);
    }

    const auto distinct = plan_requests(two_edges(Schedule::round_robin(3, 1, true)), 5);
    EXPECT_EQ(images_of(distinct, 0), (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_EQ(images_of(distinct, 1), (std::vector<std::size_t>{3, 4, 0}));  // wraps around

    const auto all = plan_requests(two_edges(Schedule::round_robin(0, 1)), 4);
    EXPECT_EQ(images_of(all, 0), (std::vector<std::size_t>{0, 1, 2, 3}));
    EXPECT_EQ(images_of(all, 1), (std::vector<std::size_t>{0, 1, 2, 3}));
}

TEST(WorkloadPlan, ClosedLoopTakesImagesAndEdgesInTurn) {
    const auto plan = plan_requests(two_edges(Schedule::closed_loop(4, 7)), 3);
    ASSERT_EQ(plan.size(), 7u);
    for (std::size_t k = 0; k < plan.size(); ++k) {
        EXPECT_EQ(plan[k].image, k % 3);
        EXPECT_EQ(plan[k].edge, k % 2);
        EXPECT_EQ(plan[k].offset_s, 0.0);
    }
    EXPECT_EQ(plan_requests(two_edges(Schedule::closed_loop(2)), 9).size(), 9u);  // default: one per image
}

TEST(WorkloadPlan, OpenLoopArrivalsArePoissonAndFixedByTheSeed) {
    const double rate = 200;
    const auto plan = plan_requests(two_edges(Schedule::open_loop(rate, 20000, 0, 7)), 10);
    ASSERT_EQ(plan.size(), 20000u);
    EXPECT_EQ(plan.front().offset_s, 0.0);
    std::vector<double> gaps;
    for (std::size_t k = 1; k < plan.size(); ++k) {
        ASSERT_GE(plan[k].offset_s, plan[k - 1].offset_s);
        gaps.push_back(plan[k].offset_s - plan[k - 1].offset_s);
        EXPECT_EQ(plan[k].edge, k % 2);
        EXPECT_EQ(plan[k].image, k % 10);
    }
    // Exponential gaps: mean 1/rate and standard deviation equal to the mean. The sequence is fixed by the
    // seed, so these are properties of the generator, not of timing.
    const double mean = std::accumulate(gaps.begin(), gaps.end(), 0.0) / static_cast<double>(gaps.size());
    double variance = 0;
    for (const double g : gaps) variance += (g - mean) * (g - mean);
    const double sd = std::sqrt(variance / static_cast<double>(gaps.size() - 1));
    EXPECT_NEAR(mean, 1.0 / rate, 0.03 / rate);
    EXPECT_NEAR(sd / mean, 1.0, 0.04);
    // P(gap > mean) = e^-1 for an exponential distribution.
    const auto longer = std::count_if(gaps.begin(), gaps.end(), [&](double g) { return g > 1.0 / rate; });
    EXPECT_NEAR(static_cast<double>(longer) / static_cast<double>(gaps.size()), std::exp(-1.0), 0.015);

    const auto again = plan_requests(two_edges(Schedule::open_loop(rate, 20000, 0, 7)), 10);
    for (std::size_t k = 0; k < plan.size(); ++k) ASSERT_EQ(again[k].offset_s, plan[k].offset_s);
    const auto other = plan_requests(two_edges(Schedule::open_loop(rate, 20000, 0, 8)), 10);
    EXPECT_NE(other[1].offset_s, plan[1].offset_s);

    // By duration: arrivals until the end, about rate x duration of them.
    const auto timed = plan_requests(two_edges(Schedule::open_loop(rate, 0, 50.0, 3)), 10);
    EXPECT_LT(timed.back().offset_s, 50.0);
    EXPECT_NEAR(static_cast<double>(timed.size()), rate * 50.0, 0.05 * rate * 50.0);
}

TEST(WorkloadPlan, InvalidSettingsNameTheField) {
    auto field_of = [](const WorkloadConfig& config) {
        try {
            plan_requests(config, 3);
        } catch (const Error& error) {
            return error.field();
        }
        return std::string("(no error)");
    };
    WorkloadConfig none;
    EXPECT_EQ(field_of(none), "edges");
    WorkloadConfig bad_url = two_edges(Schedule::closed_loop(1));
    bad_url.edges[1] = "127.0.0.1:8000";
    EXPECT_EQ(field_of(bad_url), "edges[1]");
    EXPECT_EQ(field_of(two_edges(Schedule::closed_loop(0))), "concurrency");
    EXPECT_EQ(field_of(two_edges(Schedule::open_loop(0))), "rate");
    EXPECT_EQ(field_of(two_edges(Schedule::round_robin(1, 0))), "repeats");
    WorkloadConfig timeout = two_edges(Schedule::closed_loop(1));
    timeout.timeout_s = 0;
    EXPECT_EQ(field_of(timeout), "timeout_s");
    EXPECT_THROW(plan_requests(two_edges(Schedule::closed_loop(1)), 0), Error);

    EXPECT_EQ(parse_wire_format("json"), WireFormat::Json);
    EXPECT_EQ(parse_wire_format("multipart"), WireFormat::Multipart);
    EXPECT_THROW(parse_wire_format("xml"), Error);
    EXPECT_EQ(parse_schedule_kind("round-robin"), Schedule::Kind::RoundRobin);
    EXPECT_EQ(parse_schedule_kind("closed"), Schedule::Kind::ClosedLoop);
    EXPECT_EQ(parse_schedule_kind("open"), Schedule::Kind::OpenLoop);
    EXPECT_THROW(parse_schedule_kind("sometimes"), Error);
}

TEST(WorkloadPlan, ConnectionLimitsDefaultToWhatTheScheduleKeepsInFlight) {
    EXPECT_EQ(two_edges(Schedule::round_robin(1, 1)).connections_per_edge(), 1);
    EXPECT_EQ(two_edges(Schedule::closed_loop(6)).connections_per_edge(), 6);
    EXPECT_EQ(two_edges(Schedule::open_loop(10)).connections_per_edge(), 8);
    auto config = two_edges(Schedule::open_loop(10));
    config.max_connections_per_edge = 3;
    EXPECT_EQ(config.connections_per_edge(), 3);
    EXPECT_EQ(config.id_prefix(), "req");
    config.run_id = "run-7";
    EXPECT_EQ(config.id_prefix(), "run-7");
    config.token = "secret";
    EXPECT_EQ(config.to_json().find("secret"), std::string::npos);
}

TEST(LatencyStatistics, PercentilesInterpolateBetweenClosestRanks) {
    // h = (n - 1) p; x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]), worked by hand.
    const std::vector<double> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    EXPECT_DOUBLE_EQ(percentile(ten, 0.50), 5.5);    // h = 4.5
    EXPECT_DOUBLE_EQ(percentile(ten, 0.90), 9.1);    // h = 8.1
    EXPECT_DOUBLE_EQ(percentile(ten, 0.95), 9.55);   // h = 8.55
    EXPECT_DOUBLE_EQ(percentile(ten, 0.99), 9.91);   // h = 8.91
    EXPECT_DOUBLE_EQ(percentile(ten, 0.999), 9.991);  // h = 8.991
    EXPECT_DOUBLE_EQ(percentile(ten, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(percentile(ten, 1.0), 10.0);
    const std::vector<double> five = {15, 20, 35, 40, 50};
    EXPECT_DOUBLE_EQ(percentile(five, 0.40), 29.0);  // h = 1.6: 20 + 0.6 * 15
    EXPECT_DOUBLE_EQ(percentile(five, 0.50), 35.0);  // h = 2, exactly a rank
    EXPECT_DOUBLE_EQ(percentile(std::vector<double>{4.5}, 0.99), 4.5);
    EXPECT_TRUE(std::isnan(percentile(std::vector<double>{}, 0.5)));
    EXPECT_THROW(percentile(ten, 1.5), Error);
}

TEST(LatencyStatistics, SummaryCountsFailuresButTimesOnlySuccesses) {
    // Five requests scheduled 100 ms apart; one timed out after 1000 ms (counted, not timed).
    std::vector<RequestRecord> records = {record(0, 20), record(100, 10), record(200, 40), record(300, 1000, RequestStatus::Timeout),
                                          record(400, 30, RequestStatus::Ok, 1)};
    const auto s = summarize_latencies(records);
    EXPECT_EQ(s.count, 5u);
    EXPECT_EQ(s.ok, 4u);
    EXPECT_EQ(s.failed, 1u);
    EXPECT_DOUBLE_EQ(s.mean_ms, 25.0);  // (20 + 10 + 40 + 30) / 4
    EXPECT_DOUBLE_EQ(s.min_ms, 10.0);
    EXPECT_DOUBLE_EQ(s.max_ms, 40.0);
    EXPECT_DOUBLE_EQ(s.p50_ms, 25.0);   // sorted 10 20 30 40, h = 1.5
    EXPECT_DOUBLE_EQ(s.p90_ms, 37.0);   // h = 2.7: 30 + 0.7 * 10
    // From the first scheduled send (0) to the last completion (300 + 1000): 1.3 s; 4 successes.
    EXPECT_DOUBLE_EQ(s.duration_s, 1.3);
    EXPECT_DOUBLE_EQ(s.throughput_rps, 4 / 1.3);

    const auto edge1 = summarize_latencies(records, 1);
    EXPECT_EQ(edge1.count, 1u);
    EXPECT_DOUBLE_EQ(edge1.p99_ms, 30.0);
    EXPECT_DOUBLE_EQ(edge1.duration_s, 0.03);

    const auto empty = summarize_latencies(std::vector<RequestRecord>{});
    EXPECT_EQ(empty.count, 0u);
    EXPECT_TRUE(std::isnan(empty.p50_ms));
    EXPECT_EQ(empty.throughput_rps, 0.0);
    // NaN is written as null in JSON.
    EXPECT_NE(empty.to_json().find("\"p50_ms\":null"), std::string::npos) << empty.to_json();
}

TEST(WorkloadRecords, CsvHasUnitsInColumnNamesEmptyCellsForMissingValuesAndOneRowPerRecord) {
    test::TempDir dir;
    RequestRecord ok = record(0, 12.5);
    ok.index = 0;
    ok.request_id = "r-0";
    ok.run_id = "r";
    ok.image_id = 42;
    ok.edge = "http://127.0.0.1:9";
    ok.http_status = 200;
    InferResponse edge;
    edge.node = "edge-a";
    edge.preprocess = "grayscale=0,resize=75,format=jpeg,quality=50";
    edge.timings.preprocess = {3.25, 3.0};
    edge.timings.preprocess_detail.bytes_in = 1000;
    edge.timings.preprocess_detail.bytes_out = 400;
    edge.forward.status = ForwardOutcome::Status::Ok;
    edge.forward.bytes_sent = 420;
    edge.detections = {{3, {1, 2, 3, 4}, 0.75}};
    ok.edge_response = edge;
    InferResponse cloud;
    cloud.node = "cloud";
    cloud.timings.preprocess_detail.bytes_in = 400;
    ok.cloud_response = cloud;
    RequestRecord failed = record(5, 30, RequestStatus::Unreachable);
    failed.index = 1;
    failed.request_id = "r-1";
    failed.error = "Couldn't connect, \"really\"";
    {
        WorkloadRecordWriter writer(dir.path());
        writer.append(ok);
        writer.append(failed);
    }
    const auto rows = test::read_csv(dir / "client_requests.csv");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].size(), WorkloadRecordWriter::columns().size());
    EXPECT_EQ(rows[0].at("request_id"), "r-0");
    EXPECT_EQ(rows[0].at("status"), "ok");
    EXPECT_EQ(rows[0].at("latency_ms"), "12.5");
    EXPECT_EQ(rows[0].at("edge_node"), "edge-a");
    EXPECT_EQ(rows[0].at("edge_preprocess"), "grayscale=0,resize=75,format=jpeg,quality=50");
    EXPECT_EQ(rows[0].at("edge_preprocess_ms"), "3.25");
    EXPECT_EQ(rows[0].at("edge_preprocess_cpu_ms"), "3");
    EXPECT_EQ(rows[0].at("edge_bytes_out"), "400");
    EXPECT_EQ(rows[0].at("edge_detections"), "1");
    EXPECT_EQ(rows[0].at("edge_tp"), "");  // no metrics: missing, not zero
    EXPECT_EQ(rows[0].at("forward_status"), "ok");
    EXPECT_EQ(rows[0].at("forward_bytes"), "420");
    EXPECT_EQ(rows[0].at("cloud_node"), "cloud");
    EXPECT_EQ(rows[0].at("cloud_bytes_in"), "400");
    EXPECT_EQ(rows[1].at("status"), "unreachable");
    EXPECT_EQ(rows[1].at("error"), "Couldn't connect, \"really\"");
    EXPECT_EQ(rows[1].at("http_status"), "");
    EXPECT_EQ(rows[1].at("edge_node"), "");
    EXPECT_EQ(rows[1].at("cloud_total_ms"), "");
    // Every duration and time carries its unit in its name.
    for (const auto& name : WorkloadRecordWriter::columns()) {
        if (name.find("latency") != std::string::npos || name.find("trip") != std::string::npos ||
            name.find("scheduled") != std::string::npos || name.find("sent_") == 0) {
            EXPECT_TRUE(name.ends_with("_ms") || name.ends_with("_unix")) << name;
        }
    }
    // Appending again continues the same file under the same header.
    WorkloadRecordWriter(dir.path()).append(failed);
    EXPECT_EQ(test::read_csv(dir / "client_requests.csv").size(), 3u);
    EXPECT_NE(test::read_text(dir / "client_detections.jsonl").find("\"edge_detections\":[{\"bbox\":[1.0,2.0,3.0,4.0]"),
              std::string::npos)
        << test::read_text(dir / "client_detections.jsonl");
}
