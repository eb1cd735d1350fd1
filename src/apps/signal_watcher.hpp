#pragma once
// Turns SIGINT and SIGTERM into a call on a watcher thread, without a signal handler or a global flag:
// the signals are blocked in every thread (block_stop_signals() must run before any thread starts, so
// that all inherit the mask) and collected here with sigtimedwait.

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace edgebench::apps {

inline sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

/// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards.
inline void block_stop_signals() {
    const sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

class SignalWatcher {
public:
    /// Calls `on_signal` (on the watcher's thread) for every SIGINT or SIGTERM until destroyed.
    explicit SignalWatcher(std::function<void(int)> on_signal)
        : on_signal_(std::move(on_signal)), thread_([this] { watch(); }) {}
    ~SignalWatcher() {
        done_ = true;
        thread_.join();
    }
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    /// The last signal received, 0 when none.
    int signal() const noexcept { return signal_; }

private:
    void watch() {
        const sigset_t set = stop_signals();
        const timespec poll{0, 100'000'000};
        while (!done_) {
            const int received = sigtimedwait(&set, nullptr, &poll);
            if (received > 0) {
                signal_ = received;
                on_signal_(received);
            }
        }
    }

    std::function<void(int)> on_signal_;
    std::atomic<bool> done_{false};
    std::atomic<int> signal_{0};
    std::thread thread_;
};

}  // namespace edgebench::apps
