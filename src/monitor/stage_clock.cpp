#include "edgebench/stage_clock.hpp"

#include <time.h>

#include <algorithm>
#include <cstring>

namespace edgebench {
namespace {

double now_seconds(clockid_t clock) noexcept {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

StageClock::StageClock() noexcept { restart(); }

void StageClock::restart() noexcept {
    size_ = 0;
    dropped_ = 0;
    start_unix_s_ = now_seconds(CLOCK_REALTIME);
    start_mono_s_ = lap_mono_s_ = now_seconds(CLOCK_MONOTONIC);
    start_cpu_s_ = lap_cpu_s_ = now_seconds(CLOCK_THREAD_CPUTIME_ID);
}

double StageClock::lap(std::string_view name) noexcept {
    const double mono = now_seconds(CLOCK_MONOTONIC);
    const double cpu = now_seconds(CLOCK_THREAD_CPUTIME_ID);
    const double wall_ms = (mono - lap_mono_s_) * 1e3;
    const double cpu_ms = std::max(0.0, cpu - lap_cpu_s_) * 1e3;
    lap_mono_s_ = mono;
    lap_cpu_s_ = cpu;

    name = name.substr(0, StageTime::kMaxName);
    StageTime* entry = nullptr;
    for (std::size_t i = 0; i < size_; ++i) {
        if (stages_[i].name() == name) {
            entry = &stages_[i];
            break;
        }
    }
    if (!entry) {
        if (size_ == kMaxStages) {
            ++dropped_;
            return wall_ms;
        }
        entry = &stages_[size_++];
        *entry = StageTime{};
        std::memcpy(entry->name_buffer.data(), name.data(), name.size());
    }
    entry->wall_ms += wall_ms;
    entry->cpu_ms += cpu_ms;
    ++entry->count;
    return wall_ms;
}

void StageClock::skip() noexcept {
    lap_mono_s_ = now_seconds(CLOCK_MONOTONIC);
    lap_cpu_s_ = now_seconds(CLOCK_THREAD_CPUTIME_ID);
}

std::optional<StageTime> StageClock::find(std::string_view name) const noexcept {
    name = name.substr(0, StageTime::kMaxName);
    for (std::size_t i = 0; i < size_; ++i) {
        if (stages_[i].name() == name) return stages_[i];
    }
    return std::nullopt;
}

double StageClock::elapsed_wall_ms() const noexcept { return (now_seconds(CLOCK_MONOTONIC) - start_mono_s_) * 1e3; }

double StageClock::elapsed_cpu_ms() const noexcept {
    return std::max(0.0, now_seconds(CLOCK_THREAD_CPUTIME_ID) - start_cpu_s_) * 1e3;
}

}  // namespace edgebench
