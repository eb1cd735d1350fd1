#include "services/detector_pool.hpp"

#include "services/config_json.hpp"

namespace edgebench::detail {

Detector& DetectorPool::Lease::operator*() const {
    if (const auto* shared = std::get_if<std::shared_ptr<Detector>>(&held_)) return **shared;
    return *std::get<ObjectPool<Detector>::Lease>(held_);
}

DetectorPool::DetectorPool(std::shared_ptr<Detector> prototype, std::string label)
    : prototype_(std::move(prototype)), label_(std::move(label)) {
    if (!prototype_->thread_safe()) {
        clones_ = std::make_unique<ObjectPool<Detector>>([prototype = prototype_] { return prototype->clone(); });
    }
}

DetectorPool::Lease DetectorPool::acquire() {
    if (!clones_) return Lease(prototype_);
    return Lease(clones_->acquire());
}

std::shared_ptr<DetectorPool> DetectorCache::get(const std::string& spec, const DetectorOptions& options) {
    if (spec == "none") {
        (void)registry_.create(spec, options);  // validates the options all the same
        return nullptr;
    }
    const std::string key = spec + "\n" + detector_options_to_json(options).dump();
    std::lock_guard lock(mutex_);
    if (const auto found = pools_.find(key); found != pools_.end()) return found->second;
    std::shared_ptr<Detector> detector = registry_.create(spec, options);
    auto pool = std::make_shared<DetectorPool>(std::move(detector), spec);
    pools_.emplace(key, pool);
    return pool;
}

}  // namespace edgebench::detail
