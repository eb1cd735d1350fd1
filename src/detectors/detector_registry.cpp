#include <algorithm>
#include <cctype>

#include "detectors/backends.hpp"
#include "edgebench/detector.hpp"
#include "edgebench/error.hpp"

namespace edgebench {

void DetectorOptions::validate() const {
    if (!(score_threshold >= 0.0 && score_threshold <= 1.0)) {
        throw Error("must be between 0 and 1, got " + std::to_string(score_threshold), "score_threshold");
    }
    if (!(nms_iou_threshold > 0.0 && nms_iou_threshold <= 1.0)) {
        throw Error("must be in (0, 1], got " + std::to_string(nms_iou_threshold), "nms_iou_threshold");
    }
    if (max_detections <= 0) throw Error("must be positive, got " + std::to_string(max_detections), "max_detections");
    if (threads < 0) throw Error("must be 0 (library default) or positive", "threads");
    if (warmup_runs < 0) throw Error("must not be negative", "warmup_runs");
    const bool cuda = device.rfind("cuda", 0) == 0 &&
                      (device.size() == 4 || (device.size() > 5 && device[4] == ':' &&
                                              std::all_of(device.begin() + 5, device.end(),
                                                          [](unsigned char c) { return std::isdigit(c) != 0; })));
    if (device != "cpu" && !cuda) throw Error("expected cpu, cuda or cuda:N, got '" + device + "'", "device");
}

DetectorSpec DetectorSpec::parse(std::string_view text) {
    DetectorSpec spec;
    spec.text = std::string(text);
    if (text.empty()) throw Error("empty detector spec; try 'none', 'builtin' or 'onnx:nanodet:PATH'", "model");
    const auto colon = text.find(':');
    spec.backend = std::string(text.substr(0, colon));
    if (spec.backend.empty()) throw Error("detector spec '" + spec.text + "' has no backend before ':'", "model");
    if (colon != std::string_view::npos) spec.rest = std::string(text.substr(colon + 1));
    return spec;
}

DetectorRegistry DetectorRegistry::with_builtin_backends() {
    DetectorRegistry registry;
    registry.add(detail::none_backend());
    registry.add(detail::onnx_backend());
    registry.add(detail::opencv_backend());
#if defined(EDGEBENCH_WITH_TORCH)
    registry.add(detail::torchscript_backend());
    registry.add(detail::builtin_backend());
#endif
    return registry;
}

void DetectorRegistry::add(Backend backend) {
    if (backend.name.empty() || backend.name.find(':') != std::string::npos) {
        throw Error("a backend name must be non-empty and contain no ':'", "backend");
    }
    if (!backend.factory) throw Error("backend '" + backend.name + "' has no factory", "backend");
    auto name = backend.name;
    backends_.insert_or_assign(std::move(name), std::move(backend));
}

bool DetectorRegistry::contains(std::string_view name) const { return backends_.find(name) != backends_.end(); }

std::vector<DetectorRegistry::Backend> DetectorRegistry::backends() const {
    std::vector<Backend> result;
    for (const auto& [name, backend] : backends_) result.push_back(backend);
    return result;
}

std::unique_ptr<Detector> DetectorRegistry::create(std::string_view text, const DetectorOptions& options) const {
    const DetectorSpec spec = DetectorSpec::parse(text);
    options.validate();
    const auto found = backends_.find(spec.backend);
    if (found == backends_.end()) {
        std::string known;
        for (const auto& [name, backend] : backends_) known += (known.empty() ? "" : ", ") + name;
        throw Error("unknown detector backend '" + spec.backend + "' in '" + spec.text + "'; known backends: " + known,
                    "model");
    }
    auto detector = found->second.factory(spec, options);
    if (!detector) throw Error("backend '" + spec.backend + "' returned no detector for '" + spec.text + "'", "model");
    return detector;
}

std::unique_ptr<Detector> make_detector(std::string_view spec, const DetectorOptions& options) {
    return DetectorRegistry::with_builtin_backends().create(spec, options);
}

}  // namespace edgebench
