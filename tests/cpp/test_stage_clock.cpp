// StageClock: wall and thread-CPU milliseconds per named stage.

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "edgebench/stage_clock.hpp"
#include "monitor_test_helpers.hpp"

using namespace edgebench;
using namespace std::chrono_literals;

TEST(StageClock, ACpuBoundStageCostsItsWallTimeInCpuAndASleepingStageNone) {
    StageClock clock;
    test::burn_cpu(0.2);
    const double burn_wall = clock.lap("burn");
    std::this_thread::sleep_for(200ms);
    clock.lap("sleep");
    ASSERT_EQ(clock.stages().size(), 2u);
    const auto burn = *clock.find("burn");
    const auto sleep = *clock.find("sleep");
    EXPECT_EQ(burn.wall_ms, burn_wall);
    EXPECT_GT(burn.cpu_ms, 195.0);
    EXPECT_LT(burn.cpu_ms, 230.0);
    EXPECT_GE(burn.wall_ms, burn.cpu_ms * 0.99);  // a loaded machine only adds wall time
    EXPECT_GE(sleep.wall_ms, 195.0);
    EXPECT_LT(sleep.cpu_ms, 20.0);
    EXPECT_GE(clock.elapsed_wall_ms(), burn.wall_ms + sleep.wall_ms);
    EXPECT_NEAR(clock.elapsed_cpu_ms(), burn.cpu_ms + sleep.cpu_ms, 5.0);
    EXPECT_GT(clock.start_unix_s(), 1.6e9);
    EXPECT_GT(clock.start_mono_s(), 0.0);
}

TEST(StageClock, RepeatsAddUpSkipsAreLeftOutAndNamesAreBounded) {
    StageClock clock;
    for (int i = 0; i < 3; ++i) {
        test::burn_cpu(0.01);
        clock.lap("step");
        std::this_thread::sleep_for(30ms);
        clock.skip();  // waiting, not a stage
    }
    ASSERT_EQ(clock.stages().size(), 1u);
    const auto step = clock.stages()[0];
    EXPECT_EQ(step.name(), "step");
    EXPECT_EQ(step.count, 3u);
    EXPECT_GT(step.cpu_ms, 29.0);
    EXPECT_GE(step.wall_ms, step.cpu_ms * 0.99);
    // The 3 x 30 ms of waiting are in the clock's elapsed time but in no stage.
    EXPECT_GE(clock.elapsed_wall_ms() - step.wall_ms, 89.0);

    const std::string long_name(100, 'n');
    clock.lap(long_name);
    EXPECT_EQ(clock.stages().back().name().size(), StageTime::kMaxName);
    EXPECT_TRUE(clock.find(long_name));
    for (int i = 0; i < 20; ++i) clock.lap(std::to_string(i));
    EXPECT_EQ(clock.stages().size(), StageClock::kMaxStages);
    EXPECT_EQ(clock.dropped(), 20u - (StageClock::kMaxStages - 2));
    EXPECT_FALSE(clock.find("missing"));
    clock.restart();
    EXPECT_TRUE(clock.stages().empty());
    EXPECT_EQ(clock.dropped(), 0u);
}
