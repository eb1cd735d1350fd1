// Exports the nine torchvision architectures of the original study with edgebench's exporter and times
// them from C++ through the torchscript backend, then prints a table.
//
//   bench_torchvision_models [--images N] [--weights none|DEFAULT] [--out DIR] [--only NAME,NAME]
//
// Images: the first N (default 2) of the COCO sample when ../shared/data is present, else synthetic
// 640x480 images. With --weights none (the default: nothing is downloaded) the timings are those of
// random weights, which are right for the backbone and wrong for the rest: a two-stage model's region
// proposal network and NMS see hundreds of meaningless boxes, so Faster/Mask/Keypoint R-CNN run several
// times slower than with trained weights, and single-stage heads (SSD, RetinaNet, FCOS) decode more boxes.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/detector.hpp"
#include "edgebench/error.hpp"
#include "edgebench/synthetic_dataset.hpp"

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

const std::vector<std::string> kStudy = {
    "fasterrcnn_mobilenet_v3_large_320_fpn", "fasterrcnn_mobilenet_v3_large_fpn", "fasterrcnn_resnet50_fpn",
    "retinanet_resnet50_fpn",                "maskrcnn_resnet50_fpn",             "fcos_resnet50_fpn",
    "keypointrcnn_resnet50_fpn",             "ssdlite320_mobilenet_v3_large",     "ssd300_vgg16"};

// CPU time of the calling thread: with one libtorch thread all the model's work runs there, and a shared
// machine disturbs it far less than wall-clock time.
double thread_cpu_ms() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::vector<cv::Mat> load_images(std::size_t count, std::string& source) {
    std::vector<cv::Mat> images;
    const fs::path coco = fs::path(EDGEBENCH_SOURCE_DIR) / ".." / "shared" / "data" / "coco-sample" / "instances.json";
    if (fs::exists(coco)) {
        for (const auto& sample : edgebench::CocoDataset::load(coco).first(count)) {
            images.push_back(edgebench::read_image(sample));
        }
        source = "the first " + std::to_string(images.size()) + " images of the COCO sample";
        return images;
    }
    edgebench::SyntheticDatasetOptions options;
    options.width = 640;
    options.height = 480;
    for (std::size_t i = 0; i < count; ++i) images.push_back(edgebench::render_synthetic_image(options, i).image);
    source = std::to_string(count) + " synthetic 640x480 images";
    return images;
}

struct Row {
    std::string name;
    bool exported = false;
    double export_s = 0;
    double megabytes = 0;
    bool ran = false;
    double load_s = 0;
    std::vector<double> latencies_ms;
    std::vector<double> cpu_ms;
    std::size_t detections = 0;
    std::string error;
};

}  // namespace

int main(int argc, char** argv) {
    std::size_t image_count = 2;
    std::string weights = "none";
    fs::path out = fs::path(EDGEBENCH_BINARY_DIR) / "bench" / "models";
    std::vector<std::string> names = kStudy;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--images" && has_value) {
            image_count = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
        } else if (arg == "--weights" && has_value) {
            weights = argv[++i];
        } else if (arg == "--out" && has_value) {
            out = argv[++i];
        } else if (arg == "--only" && has_value) {
            names.clear();
            std::stringstream list(argv[++i]);
            for (std::string name; std::getline(list, name, ',');) names.push_back(name);
        } else {
            std::fprintf(stderr, "usage: %s [--images N] [--weights none|DEFAULT] [--out DIR] [--only NAME,...]\n", argv[0]);
            return 2;
        }
    }
    fs::create_directories(out);
    std::string source;
    const auto images = load_images(image_count, source);

    std::vector<Row> rows;
    for (const auto& name : names) {
        Row row;
        row.name = name;
        const fs::path file = out / (name + "-" + weights + ".pt");
        std::printf("%s: exporting...\n", name.c_str());
        std::fflush(stdout);
        auto start = clock_type::now();
        const std::string command = "cd '" EDGEBENCH_SOURCE_DIR "/python/edgebench' && '" EDGEBENCH_PYTHON
                                    "' -m models export " + name + " '" + file.string() + "' --weights " + weights;
        row.exported = std::system(command.c_str()) == 0 && fs::exists(file);
        row.export_s = seconds_since(start);
        if (!row.exported) {
            row.error = "export failed";
            rows.push_back(row);
            continue;
        }
        row.megabytes = static_cast<double>(fs::file_size(file)) / 1e6;
        try {
            start = clock_type::now();
            edgebench::DetectorOptions options;
            options.threads = 1;
            auto detector = edgebench::make_detector("torchscript:" + file.string(), options);  // one warm-up run
            row.load_s = seconds_since(start);
            for (const auto& image : images) {
                const double cpu_start = thread_cpu_ms();
                const auto result = detector->detect(image);
                row.cpu_ms.push_back(thread_cpu_ms() - cpu_start);
                row.latencies_ms.push_back(result.timings.total_ms());
                row.detections += result.detections.size();
                for (const auto& detection : result.detections) {
                    if (detection.bbox.x < 0 || detection.bbox.right() > image.cols || detection.bbox.y < 0 ||
                        detection.bbox.bottom() > image.rows) {
                        throw edgebench::Error("a box outside the image");
                    }
                }
            }
            row.ran = true;
        } catch (const std::exception& error) {
            row.error = error.what();
        }
        rows.push_back(row);
    }

    std::printf("\ntorchvision detection models exported with torch.jit.script and run from C++ (torchscript backend)\n");
    std::printf("images: %s; weights: %s; libtorch threads: 1 (CPU ms = CPU time of the detecting thread,\n"
                "wall ms = wall-clock time of detect(), both per image and after one warm-up run)\n",
                source.c_str(), weights.c_str());
    if (weights == "none") {
        std::printf("WEIGHTS ARE RANDOM: the latencies are right for the backbones, not for the heads. Two-stage\n"
                    "models (Faster/Mask/Keypoint R-CNN) send hundreds of garbage proposals through RoI heads and\n"
                    "NMS and run several times slower than trained ones; detection counts mean nothing.\n");
    }
    std::printf("\n%-38s %6s %8s %7s %7s %7s %11s %12s %6s\n", "architecture", "export", "export s", "MB", "C++ run",
                "load s", "CPU ms/img", "wall ms/img", "dets");
    const auto mean = [](const std::vector<double>& values) {
        double total = 0;
        for (double value : values) total += value;
        return values.empty() ? 0.0 : total / static_cast<double>(values.size());
    };
    for (const auto& row : rows) {
        std::printf("%-38s %6s %8.1f %7.1f %7s %7.1f %11.0f %12.0f %6zu\n", row.name.c_str(), row.exported ? "ok" : "FAIL",
                    row.export_s, row.megabytes, row.ran ? "ok" : "FAIL", row.load_s, mean(row.cpu_ms),
                    mean(row.latencies_ms), row.detections);
        if (!row.error.empty()) std::printf("    %s\n", row.error.c_str());
    }
    const bool all = std::all_of(rows.begin(), rows.end(), [](const Row& row) { return row.exported && row.ran; });
    return all ? 0 : 1;
}
