// The floor of the serving benchmark, measured on one core: what decoding, resizing to 75 % and
// re-encoding at quality 50 costs per image with plain OpenCV calls (the way the edge's work is usually
// written), OpenCV's decode alone, and edgebench's Preprocessor doing the same job. Prints one JSON
// object: milliseconds per image, wall clock (median and best of several passes over all images) and
// thread CPU time (best pass), so that a busy machine shows in the difference.
//
//     serving_floor [INSTANCES.json] [--passes N]

#include <sched.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/preprocessor.hpp"
#include "edgebench/synthetic_dataset.hpp"

namespace {

using Images = std::vector<std::vector<std::uint8_t>>;

struct Timing {
    double wall_median_ms = 0;
    double wall_best_ms = 0;
    double cpu_best_ms = 0;
};

double cpu_ms() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

template <typename Work>
Timing per_image(const Images& images, int passes, Work&& work) {
    std::vector<double> wall;
    double cpu_best = 1e300;
    for (int p = 0; p < passes; ++p) {
        const auto start = std::chrono::steady_clock::now();
        const double cpu_start = cpu_ms();
        for (const auto& bytes : images) work(bytes);
        const double n = static_cast<double>(images.size());
        cpu_best = std::min(cpu_best, (cpu_ms() - cpu_start) / n);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / n);
    }
    std::sort(wall.begin(), wall.end());
    return {wall[wall.size() / 2], wall.front(), cpu_best};
}

std::string timing_json(const char* name, const Timing& t) {
    char text[200];
    std::snprintf(text, sizeof text, "\"%s\": {\"wall_median_ms\": %.4f, \"wall_best_ms\": %.4f, \"cpu_best_ms\": %.4f}", name,
                  t.wall_median_ms, t.wall_best_ms, t.cpu_best_ms);
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path json;
    int passes = 5;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--passes") == 0 && i + 1 < argc) passes = std::max(1, std::atoi(argv[++i]));
        else json = argv[i];
    }
    // One core, and OpenCV's own threads off: the floor is single-core work.
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    sched_setaffinity(0, sizeof one, &one);
    cv::setNumThreads(0);

    Images images;
    std::string source = "synthetic 640x480";
    if (!json.empty() && std::filesystem::exists(json)) {
        for (const auto& sample : edgebench::CocoDataset::load(json)) images.push_back(edgebench::read_image_bytes(sample));
        source = json.string();
    } else {
        edgebench::SyntheticDatasetOptions options;
        options.width = 640;
        options.height = 480;
        for (std::size_t i = 0; i < 64; ++i) {
            std::vector<std::uint8_t> bytes;
            cv::imencode(".jpg", edgebench::render_synthetic_image(options, i).image, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
            images.push_back(std::move(bytes));
        }
    }

    const std::vector<int> quality50 = {cv::IMWRITE_JPEG_QUALITY, 50};
    auto opencv_floor = [&](const std::vector<std::uint8_t>& bytes) {
        const cv::Mat image = cv::imdecode(bytes, cv::IMREAD_COLOR);
        cv::Mat small;
        cv::resize(image, small, cv::Size(static_cast<int>(std::lround(image.cols * 0.75)), static_cast<int>(std::lround(image.rows * 0.75))));
        std::vector<std::uint8_t> out;
        cv::imencode(".jpg", small, out, quality50);
        return out.size();
    };
    auto opencv_decode = [&](const std::vector<std::uint8_t>& bytes) { return cv::imdecode(bytes, cv::IMREAD_COLOR).total(); };
    const edgebench::Preprocessor preprocessor(edgebench::PreprocessConfig::parse("resize=75,quality=50"));
    auto edgebench_preprocess = [&](const std::vector<std::uint8_t>& bytes) { return preprocessor.process(bytes, false).encoded.size(); };

    // One untimed pass each, so that first-touch costs stay out.
    for (const auto& bytes : images) {
        opencv_floor(bytes);
        edgebench_preprocess(bytes);
    }
    // Interleaved passes, so that a change in the machine's load hits all three alike.
    Timing floor, decode, preprocess;
    std::vector<Timing> floors, decodes, preprocesses;
    for (int round = 0; round < passes; ++round) {
        floors.push_back(per_image(images, 1, opencv_floor));
        decodes.push_back(per_image(images, 1, opencv_decode));
        preprocesses.push_back(per_image(images, 1, edgebench_preprocess));
    }
    auto combine = [](std::vector<Timing> runs) {
        Timing t;
        std::vector<double> wall;
        t.wall_best_ms = t.cpu_best_ms = 1e300;
        for (const auto& r : runs) {
            wall.push_back(r.wall_median_ms);
            t.wall_best_ms = std::min(t.wall_best_ms, r.wall_best_ms);
            t.cpu_best_ms = std::min(t.cpu_best_ms, r.cpu_best_ms);
        }
        std::sort(wall.begin(), wall.end());
        t.wall_median_ms = wall[wall.size() / 2];
        return t;
    };
    floor = combine(floors);
    decode = combine(decodes);
    preprocess = combine(preprocesses);
    std::printf("{\"images\": %zu, \"source\": \"%s\", \"passes\": %d, %s, %s, %s}\n", images.size(), source.c_str(), passes,
                timing_json("opencv_decode_resize75_encode50", floor).c_str(), timing_json("opencv_decode", decode).c_str(),
                timing_json("edgebench_preprocess", preprocess).c_str());
    return 0;
}
