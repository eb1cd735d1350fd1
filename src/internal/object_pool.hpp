#pragma once
// A pool of reusable objects that are expensive to make and not thread-safe (detector clones, HTTP
// clients): a thread leases one, uses it alone, and the lease returns it. The pool grows on demand up to
// the number of threads that ever use it at once.

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace edgebench::detail {

template <typename T>
class ObjectPool {
public:
    using Factory = std::function<std::unique_ptr<T>()>;

    explicit ObjectPool(Factory factory) : factory_(std::move(factory)) {}

    class Lease {
    public:
        Lease(ObjectPool& pool, std::unique_ptr<T> object) : pool_(&pool), object_(std::move(object)) {}
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        ~Lease() {
            if (object_) pool_->give_back(std::move(object_));
        }
        T& operator*() const noexcept { return *object_; }
        T* operator->() const noexcept { return object_.get(); }

    private:
        ObjectPool* pool_;
        std::unique_ptr<T> object_;
    };

    Lease acquire() {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                auto object = std::move(idle_.back());
                idle_.pop_back();
                return Lease(*this, std::move(object));
            }
        }
        return Lease(*this, factory_());  // made outside the lock: it may be slow
    }

    /// Puts an already made object in the pool (e.g. the prototype it was cloned from).
    void give_back(std::unique_ptr<T> object) {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(object));
    }

private:
    Factory factory_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<T>> idle_;
};

}  // namespace edgebench::detail
