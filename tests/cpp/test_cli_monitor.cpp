// `edgebench monitor -- COMMAND`: samples a real command and exits with its status.

#include <gtest/gtest.h>

#include "monitor_test_helpers.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {

// About half a second of CPU in the shell, in a subshell so that a child process does the work.
const std::string kBurn = "/bin/sh -c '( i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done ); exit 7'";

}  // namespace

TEST(CliMonitor, SamplesARealCommandAndReturnsItsExitStatus) {
    test::TempDir dir;
    const auto result = test::run_command(test::cli_path() + " monitor --period 0.1 --node cli-test --out " +
                                          (dir / "hw.csv").string() + " --net-out " + (dir / "net.csv").string() +
                                          " -- " + kBurn);
    ASSERT_EQ(result.status, 7) << result.output;
    EXPECT_NE(result.output.find("edgebench monitor: "), std::string::npos) << result.output;
    const auto rows = test::parse_csv(test::read_text(dir / "hw.csv"));
    ASSERT_GE(rows.size(), 2u) << result.output;
    double last_cpu = 0;
    for (const auto& row : rows) {
        EXPECT_EQ(row.at("node"), "cli-test");
        EXPECT_EQ(row.at("<cells>"), std::to_string(row.size() - 1));
        EXPECT_NE(row.at("host_mem_total_bytes"), "");
    }
    const auto& last = rows.back();
    last_cpu = std::stod(last.at("cpu_user_s")) + std::stod(last.at("cpu_system_s"));
    // The subshell did the work; the tree (sh and its child) is what is counted.
    EXPECT_GT(last_cpu, 0.1) << test::read_text(dir / "hw.csv");
    int most_processes = 0;
    for (const auto& row : rows) most_processes = std::max(most_processes, std::stoi(row.at("processes")));
    EXPECT_EQ(most_processes, 2);
    EXPECT_FALSE(test::read_text(dir / "net.csv").empty());
}

TEST(CliMonitor, BadUsageAndCommandsThatCannotRun) {
    const auto no_command = test::run_command(test::cli_path() + " monitor --period 0.1");
    EXPECT_EQ(no_command.status, 2);
    EXPECT_NE(no_command.output.find("missing the command"), std::string::npos) << no_command.output;
    const auto fast = test::run_command(test::cli_path() + " monitor --period 0.001 -- true");
    EXPECT_EQ(fast.status, 2);
    EXPECT_NE(fast.output.find("--period: must be between"), std::string::npos) << fast.output;
    const auto missing = test::run_command(test::cli_path() + " monitor --quiet -- /no/such/program");
    EXPECT_EQ(missing.status, 127);
    EXPECT_NE(missing.output.find("cannot run '/no/such/program'"), std::string::npos) << missing.output;
    const auto killed = test::run_command(test::cli_path() + " monitor --quiet -- /bin/sh -c 'kill -TERM $$'");
    EXPECT_EQ(killed.status, 128 + 15);
    const auto passthrough = test::run_command(test::cli_path() + " monitor --quiet -- /bin/echo hello");
    EXPECT_EQ(passthrough.status, 0);
    EXPECT_EQ(passthrough.output, "hello\n");
}
