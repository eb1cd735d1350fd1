// The `torchscript` backend's entry in the registry; the detector itself is in the plugin
// libedgebench_torch.so (torchscript_detector.cpp), loaded when the first one is made.

#include "detectors/backends.hpp"
#include "detectors/torchscript_detector.hpp"
#include "edgebench/error.hpp"

namespace edgebench::detail {

DetectorRegistry::Backend torchscript_backend() {
    return {"torchscript", "torchscript:PATH",
            "a detection model scripted with torch.jit.script in torchvision's convention (export one with "
            "`python -m edgebench.models export NAME OUT.pt`), run with libtorch; needs torchvision's operators "
            "(python3-torchvision) for torchvision models; NMS is the model's own (nms_iou_threshold does not apply). "
            "`threads` sets libtorch's process-wide thread count",
            [](const DetectorSpec& spec, const DetectorOptions& options) {
                if (spec.rest.empty()) throw Error("'torchscript' needs a model file: torchscript:PATH", "model");
                return make_torchscript_detector(spec.rest, spec.text, "torchscript", options);
            }};
}

}  // namespace edgebench::detail
