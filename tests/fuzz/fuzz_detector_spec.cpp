// Detector specs (`none`, `opencv:hog`, `onnx:FAMILY[@SIZE]:PATH`, unknown backends) and detector options,
// as experiment files, PUT /v1/config and the CLI give them. The input is the spec, then optionally a
// newline and the options as JSON.
//
// Specs that name files would make the backend open them, so `onnx` specs have their path replaced by a
// file of a fixed scratch folder (an empty file, a file that is not a model, a folder, or a missing
// name), chosen from the path given: the spec grammar (family, @SIZE) is fuzzed, the file system is not.
// Options are fuzzed except warmup runs and threads (no forward pass, no process-wide thread setting).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "detectors/backends.hpp"
#include "fuzz_support.hpp"
#include "internal/json_cursor.hpp"
#include "services/config_json.hpp"

namespace {

using namespace edgebench;

class Sandbox {
public:
    Sandbox() : folder_(std::filesystem::temp_directory_path() / ("edgebench-fuzz-spec-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(folder_ / "folder.onnx");
        std::ofstream(folder_ / "empty.onnx").flush();
        std::ofstream(folder_ / "garbage.onnx") << "\x08\x07\x12\x04" << "not an ONNX model";
        registry_.add(detail::none_backend());
        registry_.add(detail::opencv_backend());
        const auto onnx = detail::onnx_backend();
        registry_.add({onnx.name, onnx.usage, onnx.description,
                       [this, factory = onnx.factory](const DetectorSpec& spec, const DetectorOptions& options) {
                           return factory(redirected(spec), options);
                       }});
    }
    ~Sandbox() {
        std::error_code ignored;
        std::filesystem::remove_all(folder_, ignored);
    }
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    const DetectorRegistry& registry() const noexcept { return registry_; }

private:
    // `onnx:FAMILY:PATH` -> `onnx:FAMILY:<scratch file chosen by PATH>`; specs without a path unchanged.
    DetectorSpec redirected(const DetectorSpec& spec) const {
        const auto colon = spec.rest.find(':');
        if (colon == std::string::npos) return spec;
        const std::string path = spec.rest.substr(colon + 1);
        static constexpr const char* kFiles[] = {"empty.onnx", "garbage.onnx", "folder.onnx", "missing.onnx"};
        const auto file = folder_ / kFiles[std::hash<std::string>{}(path) % 4];
        return DetectorSpec::parse(spec.backend + ":" + spec.rest.substr(0, colon + 1) + file.string());
    }

    std::filesystem::path folder_;
    DetectorRegistry registry_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // One scratch folder and registry for the whole run (a function-local static): creating files per
    // input would measure the file system.
    static const Sandbox sandbox;
    static const cv::Mat image(128, 64, CV_8UC3, cv::Scalar(90, 120, 150));
    const auto text = fuzz::text_of(data, size);
    const auto newline = text.find('\n');
    const auto spec = text.substr(0, newline);

    fuzz::expect_errors_only([&] {
        const DetectorSpec parsed = DetectorSpec::parse(spec);
        fuzz::check(!parsed.backend.empty() && parsed.backend.find(':') == std::string::npos, "backend name");
        fuzz::check(parsed.text == spec, "spec text not kept");
    });

    fuzz::expect_errors_only([&] {
        DetectorOptions options;
        if (newline != std::string_view::npos) {
            const auto json = detail::parse_json(text.substr(newline + 1), "options");
            detail::merge_detector_options(detail::JsonCursor(json, "detector_options", ""), options);
        }
        options.warmup_runs = 0;
        options.threads = 0;
        auto detector = sandbox.registry().create(spec, options);
        fuzz::check(detector != nullptr, "create returned no detector");
        const DetectionResult result = detector->detect(image);
        fuzz::check(result.detections.size() <= static_cast<std::size_t>(options.max_detections), "max_detections");
        (void)detector->clone();
        (void)detector->info();
    });
    return 0;
}
