#include "edgebench/hw_monitor.hpp"

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "edgebench/error.hpp"
#include "edgebench/hw_csv.hpp"
#include "monitor/issue_log.hpp"
#include "monitor/sampler.hpp"

namespace edgebench {

void HwMonitorOptions::validate() const {
    using namespace std::chrono;
    if (period < milliseconds(10) || period > hours(1)) {
        throw Error("must be between 0.01 s (10 ms) and 3600 s, got " +
                        std::to_string(duration<double>(period).count()) + " s",
                    "period");
    }
    if (target.kind != HwTarget::Kind::Self && target.pid <= 0) {
        throw Error("must be a positive process id, got " + std::to_string(target.pid), "target.pid");
    }
}

struct HwMonitor::Impl {
    // Options are validated before the sampler opens anything.
    explicit Impl(HwMonitorOptions o) : options(std::move(o)), sampler((options.validate(), options)) {}

    void loop();
    void deliver(const HwSample& sample);
    void record(const std::vector<detail::FieldNote>& notes, double mono_s);

    HwMonitorOptions options;

    // The sampler is used by the sampling thread and by snapshot().
    std::mutex sampler_mutex;
    detail::Sampler sampler;
    std::vector<detail::FieldNote> notes;  // reused by the sampling thread

    // Changed only while stopped.
    std::vector<Callback> callbacks;
    std::vector<HwCsvSink> sinks;

    std::mutex lifecycle_mutex;  // start() and stop()
    std::mutex wake_mutex;
    std::condition_variable wake;
    bool stop_requested = false;
    // sample_now(): requests counted up by callers, served by the sampling thread (under wake_mutex).
    std::uint64_t samples_requested = 0;
    std::uint64_t samples_served = 0;
    HwSample last_served;
    std::condition_variable served;
    std::thread thread;
    std::atomic<std::thread::id> sampling_thread_id{};  // lets stop() notice it is called from a callback
    std::atomic<bool> running{false};
    std::atomic<std::uint64_t> next_seq{0};
    std::atomic<double> monitor_cpu_s{0};

    mutable std::mutex kept_mutex;
    std::deque<HwSample> kept;

    mutable std::mutex issues_mutex;
    detail::IssueLog issues;
};

void HwMonitor::Impl::record(const std::vector<detail::FieldNote>& field_notes, double mono_s) {
    if (field_notes.empty()) return;
    const std::lock_guard lock(issues_mutex);
    for (const auto& note : field_notes) issues.note(note.field, note.reason, mono_s);
}

void HwMonitor::Impl::deliver(const HwSample& sample) {
    // Nothing may escape the sampling thread: a failing consumer is recorded and the others still run.
    std::vector<detail::FieldNote> failures;
    for (const auto& callback : callbacks) {
        try {
            callback(sample);
        } catch (const std::exception& error) {
            failures.push_back({"callback", error.what()});
        } catch (...) {
            failures.push_back({"callback", "unknown exception"});
        }
    }
    for (auto& sink : sinks) {
        try {
            sink.write(sample);
        } catch (const std::exception& error) {
            failures.push_back({"csv", error.what()});
        }
    }
    record(failures, sample.mono_s);
    if (options.keep_samples > 0) {
        const std::lock_guard lock(kept_mutex);
        kept.push_back(sample);
        while (kept.size() > options.keep_samples) kept.pop_front();
    }
}

void HwMonitor::Impl::loop() {
    using clock = std::chrono::steady_clock;
    sampling_thread_id = std::this_thread::get_id();
    ::pthread_setname_np(::pthread_self(), "eb-hwmonitor");  // findable in top -H, perf, gdb
    // A restarted monitor runs on a new thread whose CPU clock starts at zero again.
    const double earlier_threads_cpu_s = monitor_cpu_s;
    auto next = clock::now() + options.period;
    for (;;) {
        bool stopping = false;
        std::uint64_t serving = 0;
        {
            std::unique_lock lock(wake_mutex);
            wake.wait_until(lock, next, [&] { return stop_requested || samples_requested > samples_served; });
            stopping = stop_requested;
            serving = samples_requested;
        }
        HwSample sample;
        {
            const std::lock_guard lock(sampler_mutex);
            sample = sampler.sample(true, notes);
            sample.seq = next_seq.fetch_add(1);
            monitor_cpu_s = earlier_threads_cpu_s + detail::thread_cpu_seconds();
            sample.monitor_cpu_s = monitor_cpu_s;
            record(notes, sample.mono_s);
        }
        deliver(sample);
        const bool on_request = [&] {
            const std::lock_guard lock(wake_mutex);
            const bool requested = serving > samples_served;
            samples_served = serving;
            last_served = sample;
            return requested;
        }();
        served.notify_all();
        if (stopping) return;
        // A sample taken on request restarts the period, so that the next one is not a sliver.
        next = on_request ? clock::now() + options.period : next + options.period;
        // After a stall (suspend, overload) start afresh instead of catching up with a burst.
        if (const auto now = clock::now(); next <= now) next = now + options.period;
    }
}

HwMonitor::HwMonitor(HwMonitorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HwMonitor::~HwMonitor() {
    try {
        stop();
    } catch (...) {
        // A destructor must not throw; stop() only throws when called on the sampling thread.
    }
}

const HwMonitorOptions& HwMonitor::options() const noexcept { return impl_->options; }

void HwMonitor::on_sample(Callback callback) {
    const std::lock_guard lock(impl_->lifecycle_mutex);
    if (impl_->running) throw Error("cannot add a callback while the monitor runs", "callback");
    if (callback) impl_->callbacks.push_back(std::move(callback));
}

void HwMonitor::write_csv(const std::filesystem::path& file, const std::filesystem::path& net_file, bool append) {
    const std::lock_guard lock(impl_->lifecycle_mutex);
    if (impl_->running) throw Error("cannot add a CSV file while the monitor runs", "csv", file.string());
    impl_->sinks.emplace_back(file, net_file, append);
}

void HwMonitor::start() {
    const std::lock_guard lock(impl_->lifecycle_mutex);
    if (impl_->running) throw Error("the monitor is already running");
    {
        const std::lock_guard sampler_lock(impl_->sampler_mutex);
        impl_->sampler.reset_baseline();
    }
    {
        const std::lock_guard wake_lock(impl_->wake_mutex);
        impl_->stop_requested = false;
    }
    impl_->thread = std::thread([impl = impl_.get()] { impl->loop(); });
    impl_->running = true;
}

void HwMonitor::stop() {
    if (impl_->sampling_thread_id.load() == std::this_thread::get_id()) {
        throw Error("stop() called from a sample callback; call it from another thread");
    }
    const std::lock_guard lock(impl_->lifecycle_mutex);
    if (!impl_->thread.joinable()) return;
    {
        const std::lock_guard wake_lock(impl_->wake_mutex);
        impl_->stop_requested = true;
    }
    impl_->wake.notify_all();
    impl_->thread.join();
    impl_->running = false;
}

bool HwMonitor::running() const noexcept { return impl_->running; }

HwSample HwMonitor::sample_now() {
    if (impl_->sampling_thread_id.load() == std::this_thread::get_id()) {
        throw Error("sample_now() called from a sample callback; call it from another thread");
    }
    std::unique_lock lock(impl_->wake_mutex);
    if (!impl_->running || impl_->stop_requested) throw Error("the monitor is not running; start() it first");
    const std::uint64_t ticket = ++impl_->samples_requested;
    impl_->wake.notify_all();
    // stop() also serves every pending request with its last sample, so this wait ends.
    impl_->served.wait(lock, [&] { return impl_->samples_served >= ticket; });
    return impl_->last_served;
}

HwSample HwMonitor::snapshot() {
    std::vector<detail::FieldNote> ignored;
    const std::lock_guard lock(impl_->sampler_mutex);
    HwSample sample = impl_->sampler.sample(false, ignored);
    sample.seq = impl_->next_seq;
    sample.monitor_cpu_s = impl_->monitor_cpu_s;
    return sample;
}

std::vector<HwSample> HwMonitor::samples() const {
    const std::lock_guard lock(impl_->kept_mutex);
    return {impl_->kept.begin(), impl_->kept.end()};
}

std::vector<HwSample> HwMonitor::take_samples() {
    std::deque<HwSample> taken;
    {
        const std::lock_guard lock(impl_->kept_mutex);
        taken.swap(impl_->kept);
    }
    return {std::make_move_iterator(taken.begin()), std::make_move_iterator(taken.end())};
}

std::uint64_t HwMonitor::sample_count() const noexcept { return impl_->next_seq; }

std::vector<HwIssue> HwMonitor::issues() const {
    const std::lock_guard lock(impl_->issues_mutex);
    return impl_->issues.issues();
}

std::map<std::string, std::string> HwMonitor::reasons() const {
    const std::lock_guard lock(impl_->issues_mutex);
    return impl_->issues.reasons();
}

std::optional<std::string> HwMonitor::reason(const std::string& field) const {
    const auto all = reasons();
    const auto found = all.find(field);
    if (found == all.end()) return std::nullopt;
    return found->second;
}

}  // namespace edgebench
