#include <gtest/gtest.h>

#include <set>

#include "edgebench/error.hpp"
#include "edgebench/experiment.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {

const char* kBase = R"(
name: t
dataset:
  synthetic: {count: 8, seed: 3}
edges: {count: 2, detector: none}
workload: {schedule: closed, concurrency: 2}
)";

Experiment parse(const std::string& text) { return Experiment::parse(text, "/tmp", "x.yaml"); }

Error error_of(const std::string& text) {
    try {
        (void)parse(text);
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return Error("none");
}

}  // namespace

TEST(Experiment, BaseConfiguration) {
    const auto e = parse(kBase);
    EXPECT_EQ(e.name(), "t");
    ASSERT_EQ(e.runs().size(), 1u);
    const auto& run = e.runs()[0];
    EXPECT_EQ(run.run_id, "run-0001");
    EXPECT_EQ(run.dataset.kind, DatasetSpec::Kind::Synthetic);
    EXPECT_EQ(run.dataset.synthetic.image_count, 8u);
    ASSERT_EQ(run.edges.size(), 2u);
    EXPECT_EQ(run.edges[1].name, "edge-2");
    EXPECT_EQ(run.workload.schedule.kind, Schedule::Kind::ClosedLoop);
    EXPECT_EQ(run.workload.schedule.concurrency, 2);
    EXPECT_EQ(run.placement, Placement::Edge);
    EXPECT_TRUE(e.axes().empty());
}

TEST(Experiment, GridIsTheCartesianProductWithTheLastAxisFastest) {
    const auto e = parse(std::string(kBase) + R"(
repetitions: 2
grid:
  edges.preprocess.quality: [90, 10]
  edges.preprocess.resize: [100, 50, 25]
)");
    ASSERT_EQ(e.runs().size(), 12u);
    EXPECT_EQ(e.axes(), (std::vector<std::string>{"edges.preprocess.quality", "edges.preprocess.resize"}));
    const auto& r0 = e.runs()[0];
    const auto& r1 = e.runs()[1];
    const auto& r2 = e.runs()[2];
    EXPECT_EQ(r0.repetition, 0);
    EXPECT_EQ(r1.repetition, 1);  // repetitions follow each grid point
    EXPECT_EQ(r0.edges[0].preprocess.quality, 90);
    EXPECT_EQ(r0.edges[0].preprocess.encoding, ImageEncoding::Jpeg);  // quality implies JPEG
    EXPECT_DOUBLE_EQ(r2.edges[0].preprocess.resize_percent, 50.0);
    EXPECT_DOUBLE_EQ(r2.edges[1].preprocess.resize_percent, 50.0);
    EXPECT_EQ(e.runs()[11].edges[0].preprocess.quality, 10);
    EXPECT_DOUBLE_EQ(e.runs()[11].edges[0].preprocess.resize_percent, 25.0);
    std::set<std::string> ids;
    for (const auto& run : e.runs()) ids.insert(run.run_id);
    EXPECT_EQ(ids.size(), 12u);
    EXPECT_EQ(e.runs()[11].run_id, "run-0012");
    EXPECT_EQ(r2.axes[1], (std::pair<std::string, std::string>{"edges.preprocess.resize", "50"}));
}

TEST(Experiment, OrderedPairsOfDifferentModelsOnTwoEdges) {
    // The original study's grid: quality x resize x ordered pairs of different models on two edges.
    const auto e = parse(std::string(kBase) + R"(
grid:
  edges.preprocess.quality: [90, 50]
  edges.preprocess.resize: [100, 50]
  edges.detector: {permutations: [none, "opencv:hog", builtin], size: 2}
)");
    ASSERT_EQ(e.runs().size(), 2u * 2u * 6u);
    std::set<std::pair<std::string, std::string>> pairs;
    for (const auto& run : e.runs()) {
        EXPECT_NE(run.edges[0].detector, run.edges[1].detector);
        pairs.emplace(run.edges[0].detector, run.edges[1].detector);
    }
    EXPECT_EQ(pairs.size(), 6u);
    EXPECT_TRUE(pairs.count({"builtin", "none"}));
    EXPECT_TRUE(pairs.count({"none", "builtin"}));
}

TEST(Experiment, PerEdgeSettingsNetworkAndPlacement) {
    const auto e = parse(R"(
dataset: {synthetic: {count: 4}}
placement: both
edges:
  - {detector: builtin, preprocess: "BW,1,quality,50%,resize,75%"}
  - {name: far, detector: none, network: {bandwidth_mbps: 5}}
cloud: {detector: builtin}
network: {latency_ms: 20}
grid:
  network.bandwidth_mbps: [0, 10]
)");
    ASSERT_EQ(e.runs().size(), 2u);
    const auto& run = e.runs()[1];
    EXPECT_EQ(run.edges[1].name, "far");
    EXPECT_TRUE(run.edges[0].preprocess.grayscale);
    EXPECT_EQ(run.edges[0].preprocess.quality, 50);
    EXPECT_DOUBLE_EQ(run.edges[0].link.latency_ms, 20.0);
    EXPECT_DOUBLE_EQ(run.edges[0].link.bandwidth_mbps, 10.0);  // the grid sets every edge's link
    EXPECT_DOUBLE_EQ(run.edges[1].link.bandwidth_mbps, 10.0);
    EXPECT_EQ(run.placement, Placement::Both);
    EXPECT_EQ(run.edge_detector(0), "builtin");
    EXPECT_EQ(run.cloud_detector(), "builtin");
    EXPECT_EQ(e.runs()[0].columns()[0].second, "run-0001");
}

TEST(Experiment, ErrorsNameTheKeyAndLine) {
    auto check = [](const std::string& text, const std::string& field, const std::string& line) {
        const auto error = error_of(text);
        EXPECT_EQ(error.field(), field) << error.what();
        EXPECT_NE(error.message().find("(line " + line + ")"), std::string::npos) << error.what();
        EXPECT_EQ(error.file(), "x.yaml");
    };
    check("dataset: {synthetic: {count: 4}}\nedges: {count: 1}\nworkloads: {}\n", "workloads", "3");
    check("dataset: {synthetic: {count: 4}}\nedges:\n  count: 1\n  detektor: x\n", "edges.detektor", "4");
    check("dataset: {synthetic: {count: 4}}\nedges: {count: 1}\nworkload:\n  concurrency: many\n",
          "workload.concurrency", "4");
    check("dataset: {synthetic: {count: 4}}\nedges: {count: 1}\ngrid: {}\n", "grid", "3");
    check("dataset: {synthetic: {count: 4}}\nedges: {count: 1}\ngrid:\n  edges.detector: []\n", "grid.edges.detector", "4");
    check("dataset:\n  coco: {instances: /no/such/file.json}\nedges: {count: 1}\n", "dataset.coco.instances", "2");
    check("dataset: {synthetic: {count: 4}}\nedges: {count: 1, detector: \"onnx:nanodet:/no/model.onnx\"}\n",
          "edges[0].detector", "2");
    check("dataset: {synthetic: {count: 4}}\nedges: {count: 1}\nplacement: moon\n", "placement", "3");
    const auto no_cloud = error_of("dataset: {synthetic: {count: 4}}\nedges: {count: 1}\nplacement: cloud\n");
    EXPECT_EQ(no_cloud.field(), "cloud.detector");
    EXPECT_NE(no_cloud.message().find("needs a cloud detector"), std::string::npos);
    EXPECT_EQ(no_cloud.message().find("(line"), std::string::npos);  // not in the file: no line to name
    // A grid value that makes a setting invalid names the axis value.
    const auto bad_value = error_of(std::string(kBase) + "grid:\n  edges.preprocess.quality: [50, 500]\n");
    EXPECT_EQ(bad_value.field(), "quality");
    EXPECT_NE(bad_value.message().find("edges.preprocess.quality=500"), std::string::npos) << bad_value.what();
    // Syntax errors carry the line too.
    const auto syntax = error_of("dataset: {synthetic: {count: 4}\nedges: [\n");
    EXPECT_NE(syntax.message().find("line"), std::string::npos);
}

TEST(Experiment, LoadsFilesAndResolvesPathsRelativeToThem) {
    test::TempDir dir;
    std::filesystem::create_directories(dir / "data");
    test::write_text(dir / "data" / "gt.json",
                     R"({"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}], "categories": []})");
    test::write_text(dir / "model.onnx", "not really a model, but present");
    test::write_text(dir / "exp.yaml",
                     "dataset:\n  coco: {instances: data/gt.json}\nedges: {count: 1, detector: \"onnx:nanodet:model.onnx\"}\n");
    const auto e = Experiment::load(dir / "exp.yaml");
    EXPECT_EQ(e.name(), "exp");
    EXPECT_EQ(e.runs()[0].dataset.instances, (dir / "data" / "gt.json").lexically_normal());
    EXPECT_EQ(e.runs()[0].edges[0].detector, "onnx:nanodet:" + (dir / "model.onnx").lexically_normal().string());
    // JSON is read by the same parser.
    test::write_text(dir / "exp.json", R"({"dataset": {"synthetic": {"count": 2}}, "edges": {"count": 1},
                                           "grid": {"edges.preprocess.quality": [10, 20]}})");
    EXPECT_EQ(Experiment::load(dir / "exp.json").runs().size(), 2u);
}

TEST(Experiment, ShippedExamplesParse) {
    const std::filesystem::path examples = std::filesystem::path(EDGEBENCH_SOURCE_DIR) / "examples";
    const auto quickstart = Experiment::load(examples / "quickstart.yaml");
    EXPECT_GE(quickstart.runs().size(), 2u);
    EXPECT_EQ(quickstart.runs()[0].dataset.kind, DatasetSpec::Kind::Synthetic);
    if (!test::shared_data().empty()) {
        EXPECT_GE(Experiment::load(examples / "coco-sample.yaml").runs().size(), 2u);
        EXPECT_GE(Experiment::load(examples / "thesis-grid.yaml").runs().size(), 16u);
    }
}

TEST(Experiment, GridAxesRunInFileOrderAndEdgeNamesAndBackendsAreChecked) {
    // The later axis in the file varies fastest, whatever the axes' names sort like.
    const auto experiment = parse(std::string(kBase) +
                                  "grid:\n  workload.concurrency: [1, 2]\n  edges.preprocess.quality: [90, 50, 10]\n");
    ASSERT_EQ(experiment.axes(), (std::vector<std::string>{"workload.concurrency", "edges.preprocess.quality"}));
    ASSERT_EQ(experiment.runs().size(), 6u);
    EXPECT_EQ(experiment.runs()[0].workload.schedule.concurrency, 1);
    EXPECT_EQ(experiment.runs()[1].workload.schedule.concurrency, 1);
    EXPECT_EQ(experiment.runs()[1].edges[0].preprocess.quality, 50);
    EXPECT_EQ(experiment.runs()[3].workload.schedule.concurrency, 2);

    // A name in the single-object form names the edge, or prefixes several.
    const auto one = parse("dataset: {synthetic: {count: 4}}\nedges: {count: 1, name: gateway}\n");
    EXPECT_EQ(one.runs()[0].edges[0].name, "gateway");
    const auto two = parse("dataset: {synthetic: {count: 4}}\nedges: {count: 2, name: pi}\n");
    EXPECT_EQ(two.runs()[0].edges[0].name, "pi-1");
    EXPECT_EQ(two.runs()[0].edges[1].name, "pi-2");

    // An unknown detector backend is refused when the file is read, naming the key.
    const auto unknown = error_of("dataset: {synthetic: {count: 4}}\nedges: {count: 1, detector: \"foo:bar\"}\n");
    EXPECT_EQ(unknown.field(), "edges[0].detector");
    EXPECT_NE(unknown.message().find("unknown detector backend 'foo'"), std::string::npos) << unknown.what();
    const auto cloud = error_of("dataset: {synthetic: {count: 4}}\nedges: {count: 1}\ncloud: {detector: yolo}\n");
    EXPECT_EQ(cloud.field(), "cloud.detector");

    // A malformed edge index in a grid axis is a readable error, not a bare "stoul".
    for (const char* axis : {"edges[x].detector", "edges[].detector", "edges[1x].detector"}) {
        const auto bad = error_of(std::string(kBase) + "grid:\n  \"" + axis + "\": [none]\n");
        EXPECT_NE(bad.message().find("edges[N]"), std::string::npos) << axis << ": " << bad.what();
    }
}
