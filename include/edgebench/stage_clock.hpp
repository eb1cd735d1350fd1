#pragma once
/// \file
/// StageClock: per-request timing of named stages, wall-clock and the serving thread's own CPU time
/// (CLOCK_THREAD_CPUTIME_ID), so that what a request cost in CPU is known without sampling. Cheap: two
/// clock reads per stage, no allocation.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace edgebench {

/// One stage's cost. Repeated stages of the same name add up in one entry.
struct StageTime {
    static constexpr std::size_t kMaxName = 31;
    std::array<char, kMaxName + 1> name_buffer{};
    double wall_ms = 0;
    double cpu_ms = 0;  ///< CPU time of the thread that ran the stage
    unsigned count = 0;  ///< how many laps were recorded under this name

    std::string_view name() const noexcept { return name_buffer.data(); }
};

/// Times the stages of one request on the thread that serves it.
///
/// ```cpp
/// edgebench::StageClock clock;      // starts now
/// decode(...);     clock.lap("decode");
/// preprocess(...); clock.lap("preprocess");
/// wait_for_io();   clock.skip();    // not a stage, not counted in any stage
/// detect(...);     clock.lap("inference");
/// clock.stages();  // decode, preprocess, inference: wall_ms and cpu_ms each
/// ```
///
/// CPU times are those of the calling thread, so a clock belongs to one thread (measure a stage that
/// hops threads with a clock on each). Names longer than 31 bytes are cut; after `kMaxStages`
/// distinct names further ones are counted in `dropped()` instead.
class StageClock {
public:
    static constexpr std::size_t kMaxStages = 16;

    /// Starts the clock now.
    StageClock() noexcept;
    /// Forgets all stages and starts again now.
    void restart() noexcept;
    /// Ends the current stage, adds it to `name`'s entry and starts the next stage. Returns the
    /// stage's wall-clock milliseconds.
    double lap(std::string_view name) noexcept;
    /// Ends the current stage without recording it.
    void skip() noexcept;

    std::span<const StageTime> stages() const noexcept { return {stages_.data(), size_}; }
    /// The entry for `name`, if a lap was recorded under it.
    std::optional<StageTime> find(std::string_view name) const noexcept;
    /// Laps whose name found no free entry.
    unsigned dropped() const noexcept { return dropped_; }

    /// Wall-clock and thread-CPU milliseconds since the clock started (recorded, skipped and current).
    double elapsed_wall_ms() const noexcept;
    double elapsed_cpu_ms() const noexcept;
    /// When the clock started: CLOCK_MONOTONIC and Unix seconds, to join with hardware samples.
    double start_mono_s() const noexcept { return start_mono_s_; }
    double start_unix_s() const noexcept { return start_unix_s_; }

private:
    std::array<StageTime, kMaxStages> stages_{};
    std::size_t size_ = 0;
    unsigned dropped_ = 0;
    double start_mono_s_ = 0;
    double start_unix_s_ = 0;
    double start_cpu_s_ = 0;
    double lap_mono_s_ = 0;  // start of the current stage
    double lap_cpu_s_ = 0;
};

}  // namespace edgebench
