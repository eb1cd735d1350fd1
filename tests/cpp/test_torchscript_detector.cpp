// The torchscript backend on small TorchScript modules with known outputs (written by python3-torch in
// the test), on torchvision's exported architectures, and failure modes.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "edgebench/detector.hpp"
#include "edgebench/error.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "test_support.hpp"
#include "torch_models.hpp"

using namespace edgebench;
using edgebench::test::TempDir;

namespace {

// Modules in torchvision's detection convention whose outputs are known:
//   fixed.pt   six detections meant to exercise clipping, label filtering, the threshold and sorting
//   probe.pt   a box at (100 x mean of input channel 0, 100 x mean of channel 2), score 1, and a box
//              covering the whole input, score 0.5: the test sees channel order, scale and size
//   probe_bgr.pt  the same with metadata saying the model takes BGR
//   shapes_labels.pt  fixed.pt with a two-category table in its metadata
//   no_scores.pt  the right signature, but the dicts lack "scores"
//   linear.pt  a module that is no detector
//   bad_metadata.pt  fixed.pt with a malformed category table
//   pickle.pt  torch.save of a dict: a zip file, but no TorchScript archive
const char* kFixtureScript = R"PY(
import json, sys, torch
from typing import Dict, List, Tuple
from torch import Tensor

class Fixed(torch.nn.Module):
    def forward(self, images: List[Tensor]) -> Tuple[Dict[str, Tensor], List[Dict[str, Tensor]]]:
        out: List[Dict[str, Tensor]] = []
        for image in images:
            w = float(image.shape[2])
            boxes = torch.tensor([[10.0, 10.0, 30.0, 40.0], [-5.0, -5.0, w + 5.0, 20.0], [5.0, 5.0, 15.0, 15.0],
                                  [5.0, 5.0, 15.0, 15.0], [w + 10.0, 5.0, w + 20.0, 15.0], [1.0, 2.0, 3.0, 4.0]])
            labels = torch.tensor([1, 3, 0, 12, 2, 1])
            scores = torch.tensor([0.5, 0.9, 0.95, 0.8, 0.7, 0.01])
            out.append({"boxes": boxes, "labels": labels, "scores": scores})
        return {}, out

class Probe(torch.nn.Module):
    def forward(self, images: List[Tensor]) -> Tuple[Dict[str, Tensor], List[Dict[str, Tensor]]]:
        out: List[Dict[str, Tensor]] = []
        for image in images:
            first = image[0].mean() * 100.0
            last = image[2].mean() * 100.0
            values = torch.stack([first, last, first + 1.0, last + 1.0])
            size = torch.tensor([0.0, 0.0, float(image.shape[2]), float(image.shape[1])])
            out.append({"boxes": torch.stack([values, size]), "labels": torch.tensor([1, 1]),
                        "scores": torch.tensor([1.0, 0.5])})
        return {}, out

class NoScores(torch.nn.Module):
    def forward(self, images: List[Tensor]) -> Tuple[Dict[str, Tensor], List[Dict[str, Tensor]]]:
        out: List[Dict[str, Tensor]] = []
        for image in images:
            out.append({"boxes": torch.zeros(1, 4), "labels": torch.ones(1, dtype=torch.long)})
        return {}, out

folder = sys.argv[1]
def save(module, name, metadata=None):
    extra = {"edgebench.json": metadata if isinstance(metadata, str) else json.dumps(metadata)} if metadata else {}
    torch.jit.save(torch.jit.script(module), folder + "/" + name, _extra_files=extra)

save(Fixed(), "fixed.pt")
save(Probe(), "probe.pt")
save(Probe(), "probe_bgr.pt", {"input": {"color": "bgr", "scale": 1.0}, "categories": [{"id": 1, "name": "thing"}]})
save(Fixed(), "shapes_labels.pt", {"name": "two", "architecture": "fixed",
                                   "categories": [{"id": 1, "name": "one"}, {"id": 3, "name": "three"}]})
save(NoScores(), "no_scores.pt")
save(torch.nn.Linear(2, 2), "linear.pt")
save(Fixed(), "bad_metadata.pt", {"categories": [{"id": "x", "name": "one"}]})
torch.save({"weights": torch.zeros(2)}, folder + "/pickle.pt")
)PY";

class TorchScriptFixtures : public ::testing::Test {
protected:
    static void SetUpTestSuite() { dir_ = test::python_outputs(kFixtureScript, "torchscript-fixtures"); }
    void SetUp() override {
        if (dir_.empty()) GTEST_SKIP() << "python3-torch is not available to make the fixtures";
    }
    static std::string spec(const std::string& name) { return "torchscript:" + (dir_ / name).string(); }
    static std::filesystem::path file(const std::string& name) { return dir_ / name; }

    static std::filesystem::path dir_;
};
std::filesystem::path TorchScriptFixtures::dir_;

Error creation_error(const std::string& spec, DetectorOptions options = {}) {
    try {
        (void)make_detector(spec, options);
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "expected an error from " << spec;
    return Error("no error");
}

}  // namespace

TEST_F(TorchScriptFixtures, ClipsDropsUnknownLabelsAppliesThresholdAndSortsByScore) {
    DetectorOptions options;
    options.score_threshold = 0.05;
    auto detector = make_detector(spec("fixed.pt"), options);
    const cv::Mat image(60, 80, CV_8UC3, cv::Scalar(10, 20, 30));
    const auto result = detector->detect(image);
    // Kept: label 3 clipped to the image (0.9), label 1 inside (0.5). Dropped: background 0, id 12 (no COCO
    // category), a box entirely outside the image, and the one below the threshold.
    ASSERT_EQ(result.detections.size(), 2u);
    EXPECT_EQ(result.detections[0].category_id, 3);
    EXPECT_DOUBLE_EQ(result.detections[0].score, static_cast<double>(0.9f));
    EXPECT_EQ(result.detections[0].bbox, (BBox{0, 0, 80, 20}));
    EXPECT_EQ(result.detections[1].category_id, 1);
    EXPECT_EQ(result.detections[1].bbox, (BBox{10, 10, 20, 30}));
    EXPECT_GE(result.timings.forward_ms, 0.0);
    EXPECT_GT(result.timings.total_ms(), 0.0);

    options.score_threshold = 0.0;
    options.max_detections = 1;
    const auto limited = make_detector(spec("fixed.pt"), options)->detect(image);
    ASSERT_EQ(limited.detections.size(), 1u);
    EXPECT_EQ(limited.detections[0].category_id, 3);

    EXPECT_EQ(detector->categories(), CategoryTable::coco());
    EXPECT_EQ(detector->info().backend, "torchscript");
    EXPECT_EQ(detector->info().family, "torchscript");
    EXPECT_EQ(detector->info().model_path, file("fixed.pt").string());
    EXPECT_TRUE(detector->thread_safe());
}

TEST_F(TorchScriptFixtures, FeedsRgbInZeroToOneAtTheImageSize) {
    auto detector = make_detector(spec("probe.pt"));
    const auto seen = [&](const cv::Mat& image) {
        const auto detections = detector->detect(image).detections;
        EXPECT_EQ(detections.size(), 2u);
        return detections.size() == 2 ? std::pair(detections[0].bbox, detections[1].bbox) : std::pair(BBox{}, BBox{});
    };
    // Pure blue in OpenCV's BGR: the model must see R = 0 in channel 0 and B = 1 in channel 2.
    auto [values, size] = seen(cv::Mat(120, 160, CV_8UC3, cv::Scalar(255, 0, 0)));
    EXPECT_NEAR(values.x, 0.0, 1e-3);
    EXPECT_NEAR(values.y, 100.0, 1e-3);
    EXPECT_EQ(size, (BBox{0, 0, 160, 120}));
    // Gray becomes three equal channels; BGRA drops alpha.
    std::tie(values, size) = seen(cv::Mat(130, 110, CV_8UC1, cv::Scalar(51)));
    EXPECT_NEAR(values.x, 20.0, 1e-3);
    EXPECT_NEAR(values.y, 20.0, 1e-3);
    EXPECT_EQ(size, (BBox{0, 0, 110, 130}));
    std::tie(values, size) = seen(cv::Mat(120, 120, CV_8UC4, cv::Scalar(0, 0, 255, 7)));
    EXPECT_NEAR(values.x, 100.0, 1e-3);
    EXPECT_NEAR(values.y, 0.0, 1e-3);
    // A region of a larger image (not continuous in memory) is read as itself.
    const cv::Mat big(300, 300, CV_8UC3, cv::Scalar(0, 0, 0));
    big(cv::Rect(20, 30, 150, 120)).setTo(cv::Scalar(255, 0, 0));
    std::tie(values, size) = seen(big(cv::Rect(20, 30, 150, 120)));
    EXPECT_NEAR(values.y, 100.0, 1e-3);
    EXPECT_EQ(size, (BBox{0, 0, 150, 120}));
}

TEST_F(TorchScriptFixtures, MetadataSetsChannelOrderScaleAndCategories) {
    auto bgr = make_detector(spec("probe_bgr.pt"));
    // BGR with scale 1: channel 0 is blue in 0..255.
    const auto detections = bgr->detect(cv::Mat(300, 400, CV_8UC3, cv::Scalar(1, 0, 2))).detections;
    ASSERT_EQ(detections.size(), 2u);
    EXPECT_NEAR(detections[0].bbox.x, 100.0, 1e-3);  // 100 * blue (1)
    EXPECT_NEAR(detections[0].bbox.y, 200.0, 1e-3);  // 100 * red (2)
    EXPECT_EQ(bgr->categories().size(), 1u);
    EXPECT_EQ(bgr->categories()[0].name, "thing");

    DetectorOptions options;
    options.score_threshold = 0.0;
    auto labelled = make_detector(spec("shapes_labels.pt"), options);
    const auto result = labelled->detect(cv::Mat(60, 80, CV_8UC3, cv::Scalar::all(0)));
    ASSERT_EQ(result.detections.size(), 3u);  // labels 3, 1, 1 (12, 0 and the box outside are dropped)
    for (const auto& detection : result.detections) EXPECT_TRUE(labelled->categories().contains(detection.category_id));
    EXPECT_EQ(labelled->info().family, "fixed");
    EXPECT_EQ(labelled->categories().at(3).name, "three");
}

TEST_F(TorchScriptFixtures, BadModelFilesAreErrorsAboutTheModel) {
    for (const auto& [name, expected] : std::vector<std::pair<std::string, std::string>>{
             {"does-not-exist.pt", "not found"},
             {"pickle.pt", "not a TorchScript archive"},
             {"linear.pt", "not a detection model"},
             {"no_scores.pt", "no 'scores' tensor"},
             {"bad_metadata.pt", "categories[0].id"}}) {
        const Error error = creation_error(spec(name));
        EXPECT_EQ(error.field(), "model") << name;
        EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << name << ": " << error.what();
    }
    TempDir scratch;
    test::write_text(scratch / "text.pt", "this is not a model");
    EXPECT_NE(std::string(creation_error("torchscript:" + (scratch / "text.pt").string()).what())
                  .find("not a TorchScript archive"),
              std::string::npos);
    EXPECT_NE(std::string(creation_error("torchscript:" + scratch.path().string()).what()).find("not a regular file"),
              std::string::npos);
    EXPECT_EQ(creation_error("torchscript").field(), "model");
}

TEST_F(TorchScriptFixtures, BadImagesAreErrorsAndOddSizesWork) {
    DetectorOptions options;
    options.warmup_runs = 0;
    auto detector = make_detector(spec("fixed.pt"), options);
    EXPECT_THROW((void)detector->detect(cv::Mat()), Error);
    EXPECT_THROW((void)detector->detect(cv::Mat(10, 10, CV_16UC3, cv::Scalar::all(0))), Error);
    EXPECT_THROW((void)detector->detect(cv::Mat(10, 10, CV_8UC2, cv::Scalar::all(0))), Error);
    for (const cv::Size size : {cv::Size(1, 1), cv::Size(1, 500), cv::Size(700, 2)}) {
        for (const auto& detection : detector->detect(cv::Mat(size, CV_8UC3, cv::Scalar::all(9))).detections) {
            EXPECT_GE(detection.bbox.x, 0.0);
            EXPECT_LE(detection.bbox.right(), size.width);
            EXPECT_LE(detection.bbox.bottom(), size.height);
        }
    }
}

TEST_F(TorchScriptFixtures, CudaIsUsedOrRefusedButNeverSilentlyReplaced) {
    DetectorOptions options;
    options.device = "cuda";
    try {
        auto detector = make_detector(spec("fixed.pt"), options);
        EXPECT_EQ(detector->info().device, "cuda");
        EXPECT_FALSE(detector->detect(cv::Mat(60, 80, CV_8UC3, cv::Scalar::all(0))).detections.empty());
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "device");
        EXPECT_NE(error.message().find("CUDA"), std::string::npos);
    }
}

TEST_F(TorchScriptFixtures, ThreadsOptionIsAccepted) {
    DetectorOptions options;
    options.threads = 1;
    EXPECT_NO_THROW((void)make_detector(spec("fixed.pt"), options));
    options.threads = -1;
    EXPECT_THROW((void)make_detector(spec("fixed.pt"), options), Error);
}

// torchvision's architectures with random weights, exported by edgebench's exporter in the test.
class TorchvisionExports : public ::testing::Test {
protected:
    static void expect_runs(const std::string& name, const std::string& option = "") {
        const auto model = test::torchvision_model(name, option);
        if (model.empty()) GTEST_SKIP() << "python3-torchvision is not available to export " << name;
        DetectorOptions options;
        options.score_threshold = 0.0;  // random weights: keep whatever it finds
        auto detector = make_detector("torchscript:" + model.string(), options);
        EXPECT_EQ(detector->info().family, name);
        EXPECT_EQ(detector->categories(), CategoryTable::coco());  // ids, names and supercategories
        EXPECT_EQ(detector->categories().at(18).name, "dog");
        SyntheticDatasetOptions synthetic;
        synthetic.width = 160;
        synthetic.height = 120;
        const auto image = render_synthetic_image(synthetic, 0).image;
        const auto result = detector->detect(image);
        EXPECT_LE(result.detections.size(), 100u);
        double previous = 1.0;
        for (const auto& detection : result.detections) {
            EXPECT_TRUE(CategoryTable::coco().contains(detection.category_id));
            EXPECT_GE(detection.bbox.x, 0.0);
            EXPECT_GE(detection.bbox.y, 0.0);
            EXPECT_GT(detection.bbox.width, 0.0);
            EXPECT_LE(detection.bbox.right(), image.cols + 1e-6);
            EXPECT_LE(detection.bbox.bottom(), image.rows + 1e-6);
            EXPECT_LE(detection.score, previous);
            previous = detection.score;
        }
        std::cout << name << ": " << result.detections.size() << " detections, forward "
                  << result.timings.forward_ms << " ms (random weights)\n";
    }
};

TEST_F(TorchvisionExports, SsdLite320RunsFromCpp) { expect_runs("ssdlite320_mobilenet_v3_large"); }

TEST_F(TorchvisionExports, FasterRcnnMobilenet320RunsFromCpp) {
    // Random weights score every class about 1/91, under Faster R-CNN's default threshold of 0.05.
    expect_runs("fasterrcnn_mobilenet_v3_large_320_fpn", "box_score_thresh=0.0");
}

TEST_F(TorchvisionExports, MissingTorchvisionOpsIsAClearError) {
    const std::string model = test::torchvision_model("ssdlite320_mobilenet_v3_large").string();
    if (model.empty()) GTEST_SKIP() << "python3-torchvision is not available to export a model";
    // Operators cannot be unloaded, so the check runs in a fresh process (gtest re-runs this test there)
    // where EDGEBENCH_TORCHVISION_OPS names a file that does not exist.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            ::setenv("EDGEBENCH_TORCHVISION_OPS", "/nonexistent/libtorchvision.so", 1);
            int status = 3;
            try {
                (void)make_detector("torchscript:" + model);
            } catch (const Error& error) {
                std::fprintf(stderr, "%s\n", error.what());
                status = error.field() == "model" ? 0 : 4;
            }
            std::fflush(stderr);
            std::_Exit(status);
        },
        ::testing::ExitedWithCode(0), "python3-torchvision.*EDGEBENCH_TORCHVISION_OPS.*/nonexistent/libtorchvision.so");
}
