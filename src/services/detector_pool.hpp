#pragma once
// How a node's worker threads share a detector: a thread-safe detector is used by all at once; any other
// is cloned, one clone per concurrently serving thread, kept for reuse. And a cache of such pools by spec
// and options, so that a configuration switch back to an earlier model does not load it again.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "edgebench/detector.hpp"
#include "internal/object_pool.hpp"

namespace edgebench::detail {

class DetectorPool {
public:
    DetectorPool(std::shared_ptr<Detector> prototype, std::string label);

    /// Exclusive use of a detector for one request (shared use when the detector is thread-safe).
    class Lease {
    public:
        explicit Lease(std::shared_ptr<Detector> shared) : held_(std::move(shared)) {}
        explicit Lease(ObjectPool<Detector>::Lease leased) : held_(std::move(leased)) {}
        Detector& operator*() const;
        Detector* operator->() const { return &**this; }

    private:
        std::variant<std::shared_ptr<Detector>, ObjectPool<Detector>::Lease> held_;
    };

    Lease acquire();
    const std::string& label() const noexcept { return label_; }
    const Detector& prototype() const noexcept { return *prototype_; }

private:
    std::shared_ptr<Detector> prototype_;
    std::string label_;
    std::unique_ptr<ObjectPool<Detector>> clones_;  // only for detectors that are not thread-safe
};

class DetectorCache {
public:
    explicit DetectorCache(DetectorRegistry registry) : registry_(std::move(registry)) {}

    /// The pool for `spec` with `options`, building the detector on first use; nullptr for "none".
    std::shared_ptr<DetectorPool> get(const std::string& spec, const DetectorOptions& options);

private:
    DetectorRegistry registry_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<DetectorPool>> pools_;
};

}  // namespace edgebench::detail
