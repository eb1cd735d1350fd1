// The monitor's readers one by one: /proc parsers, process trees, perf counters, NVML, issue folding.

#include <linux/perf_event.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "monitor/host_cpu.hpp"
#include "monitor/issue_log.hpp"
#include "monitor/net_dev.hpp"
#include "monitor/nvml.hpp"
#include "monitor/perf_counter.hpp"
#include "monitor/proc_file.hpp"
#include "monitor/process_stat.hpp"
#include "monitor/process_tree.hpp"
#include "monitor_test_helpers.hpp"

using namespace edgebench;
using namespace edgebench::detail;

TEST(ProcReaders, ProcessStatSurvivesCommandNamesWithSpacesAndParentheses) {
    const std::string text =
        "4242 (we) ird) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 30 12 20 0 3 0 987654 1000000 2560 "
        "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    const auto stat = parse_process_stat(text);
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->state, 'S');
    EXPECT_EQ(stat->ppid, 17);
    EXPECT_EQ(stat->utime, 250u);
    EXPECT_EQ(stat->stime, 75u);
    EXPECT_EQ(stat->cutime, 30u);
    EXPECT_EQ(stat->cstime, 12u);
    EXPECT_EQ(stat->num_threads, 3);
    EXPECT_EQ(stat->starttime, 987654u);
    EXPECT_EQ(stat->rss_pages, 2560);
    EXPECT_FALSE(parse_process_stat("4242 (cut short) S 1 2 3"));
    EXPECT_FALSE(parse_process_stat("no parenthesis"));

    std::string own;
    ASSERT_EQ(read_proc_once("/proc/self/stat", own), "");
    const auto self = parse_process_stat(own);
    ASSERT_TRUE(self);
    EXPECT_EQ(self->ppid, static_cast<int>(::getppid()));
    EXPECT_GE(self->num_threads, 1);
}

TEST(ProcReaders, KibFieldsOfStatusAndMeminfo) {
    const std::string status = "Name:\tx\nVmHWM:\t    2196 kB\nVmRSS:\t  1024 kB\nThreads:\t7\n";
    EXPECT_EQ(find_kib_field(status, "VmHWM"), 2196u * 1024);
    EXPECT_EQ(find_kib_field(status, "VmRSS"), 1024u * 1024);
    EXPECT_EQ(find_kib_field(status, "Threads"), 7u);  // no unit: as it is
    EXPECT_FALSE(find_kib_field(status, "VmSwap"));
    EXPECT_FALSE(find_kib_field(status, "Vm"));  // a prefix is not a key
    std::string meminfo;
    ASSERT_EQ(read_proc_once("/proc/meminfo", meminfo), "");
    const auto total = find_kib_field(meminfo, "MemTotal");
    const auto available = find_kib_field(meminfo, "MemAvailable");
    ASSERT_TRUE(total && available);
    EXPECT_LT(*available, *total);
}

TEST(ProcReaders, HostCpuLineAndUtilisation) {
    const auto a = parse_host_cpu("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n");
    const auto b = parse_host_cpu("cpu  200 0 100 850 50 0 0 0 0 0\n");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->busy, 150u);
    EXPECT_EQ(a->total, 1000u);
    EXPECT_NEAR(*host_cpu_util_pct(*a, *b), 75.0, 1e-9);  // 150 busy of 200 ticks
    EXPECT_FALSE(host_cpu_util_pct(*a, *a));
    EXPECT_FALSE(parse_host_cpu("intr 1 2 3\n"));
    ProcFile stat("/proc/stat");
    const auto first = stat.read();
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(parse_host_cpu(first.text));
}

TEST(ProcReaders, NetDevPerInterfaceAndDeltas) {
    const std::string before_text =
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
        "carrier compressed\n"
        "    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       "
        "0          0\n"
        "  eth0:5000 50 0 0 0 0 0 0 7000 70 0 0 0 0 0 0\n";
    const std::string after_text =
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
        "carrier compressed\n"
        "  eth0:  400 4 0 0 0 0 0 0 300 3 0 0 0 0 0 0\n"
        "    lo:    3000      30    0    0    0     0          0         0     3500      35    0    0    0     0       "
        "0          0\n"
        " veth1:  10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0\n";
    std::vector<HwNetInterface> before;
    std::vector<HwNetInterface> after;
    ASSERT_TRUE(parse_net_dev(before_text, before));
    ASSERT_TRUE(parse_net_dev(after_text, after));
    ASSERT_EQ(before.size(), 2u);
    EXPECT_EQ(before[1].name, "eth0");
    EXPECT_EQ(before[1].tx_bytes, 7000u);
    const auto delta = net_delta(before, after);
    ASSERT_EQ(delta.size(), 3u);
    EXPECT_EQ(delta[0].name, "eth0");  // counters went back: re-created, counts from zero
    EXPECT_EQ(delta[0].rx_bytes, 400u);
    EXPECT_EQ(delta[1].name, "lo");
    EXPECT_EQ(delta[1].rx_bytes, 2000u);
    EXPECT_EQ(delta[1].tx_bytes, 2500u);
    EXPECT_EQ(delta[1].rx_packets, 20u);
    EXPECT_EQ(delta[1].tx_packets, 25u);
    EXPECT_EQ(delta[2].name, "veth1");  // new
    EXPECT_EQ(delta[2].tx_packets, 2u);
    std::vector<HwNetInterface> none;
    EXPECT_FALSE(parse_net_dev("cpu 1 2 3\n", none));

    ProcFile own("/proc/self/net/dev");
    const auto text = own.read();
    ASSERT_TRUE(text.ok()) << text.error;
    std::vector<HwNetInterface> interfaces;
    ASSERT_TRUE(parse_net_dev(text.text, interfaces));
    EXPECT_TRUE(std::any_of(interfaces.begin(), interfaces.end(), [](const auto& i) { return i.name == "lo"; }));
}

TEST(ProcReaders, AKeptProcFileReadsFreshContentAndReportsAMissingFile) {
    ProcFile uptime("/proc/uptime");
    const std::string first(uptime.read().text);
    test::burn_cpu(0.02);
    ::usleep(20'000);
    const std::string second(uptime.read().text);
    EXPECT_NE(first, second);
    ProcFile missing("/proc/no-such-file");
    EXPECT_FALSE(missing.is_open());
    EXPECT_FALSE(missing.read().ok());
    EXPECT_NE(missing.error(), "");
}

TEST(ProcessTree, FindsDescendantsParentsFirst) {
    int hold[2];
    ASSERT_EQ(::pipe(hold), 0);
    // child -> grandchild, both blocked until `hold` closes.
    const pid_t child = test::fork_child([&] {
        ::close(hold[1]);
        const pid_t grandchild = ::fork();
        char byte = 0;
        if (grandchild == 0) {
            [[maybe_unused]] const auto ignored = ::read(hold[0], &byte, 1);
            ::_exit(0);
        }
        [[maybe_unused]] const auto ignored = ::read(hold[0], &byte, 1);
        ::waitpid(grandchild, nullptr, 0);
        return 0;
    });
    ::close(hold[0]);
    std::vector<int> seen;
    for (int attempt = 0; attempt < 200 && seen.size() < 2; ++attempt) {
        seen.clear();
        visit_process_tree(child, [&](int pid) {
            seen.push_back(pid);
            return true;
        });
        ::usleep(10'000);
    }
    ::close(hold[1]);
    test::reap(child);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], child);
}

TEST(PerfCounter, CountsTheTaskClockOfThisProcessAndItsNewThreads) {
    // Hardware counters need a PMU, which virtual machines often lack; the software task clock goes
    // through the same code (open per thread with inherit, read with multiplexing times).
    std::string error;
    std::string note;
    const auto counter = PerfCounter::open({PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, false},
                                           thread_ids(static_cast<int>(::getpid())), error, note);
    if (!counter.is_open()) GTEST_SKIP() << "perf events are not allowed here: " << error;
    const auto before = counter.read(error);
    ASSERT_TRUE(before) << error;
    test::burn_cpu(0.2);
    std::thread helper([] { test::burn_cpu(0.2); });  // started after open: counted through inherit
    helper.join();
    const auto after = counter.read(error);
    ASSERT_TRUE(after) << error;
    const double seconds = static_cast<double>(*after - *before) * 1e-9;  // the task clock counts ns
    EXPECT_GT(seconds, 0.38);
    EXPECT_LT(seconds, 0.6);
}

TEST(PerfCounter, FailuresHaveReasonsAPersonCanActOn) {
    EXPECT_NE(perf_open_error_text(ENOENT).find("no hardware counter"), std::string::npos);
    EXPECT_NE(perf_open_error_text(EACCES).find("perf_event_paranoid="), std::string::npos);
    std::string error;
    std::string note;
    const auto none = PerfCounter::open({PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, false}, {}, error, note);
    EXPECT_FALSE(none.is_open());
    EXPECT_NE(error.find("gone"), std::string::npos);
}

TEST(Nvml, AMissingLibraryIsAReasonNotAnError) {
    const Nvml nvml("libnvidia-ml-does-not-exist.so.1");
    EXPECT_FALSE(nvml.available());
    EXPECT_EQ(nvml.device_count(), 0u);
    EXPECT_NE(nvml.error().find("libnvidia-ml-does-not-exist.so.1"), std::string::npos) << nvml.error();
    const Nvml wrong("libc.so.6");  // loads, but is not NVML
    EXPECT_FALSE(wrong.available());
    EXPECT_NE(wrong.error().find("nvmlInit_v2"), std::string::npos) << wrong.error();
}

TEST(IssueLog, FoldsRepeatsAndKeepsTheLatestReasonPerField) {
    IssueLog log;
    for (int i = 0; i < 100; ++i) log.note("cycles", "no PMU", i);
    log.note("rss_bytes", "process 7 has exited", 5);
    log.note("cycles", "read failed", 101);
    ASSERT_EQ(log.issues().size(), 3u);
    EXPECT_EQ(log.issues()[0].count, 100u);
    EXPECT_EQ(log.issues()[0].first_mono_s, 0);
    EXPECT_EQ(log.issues()[0].last_mono_s, 99);
    EXPECT_EQ(log.reasons().at("cycles"), "read failed");
    EXPECT_EQ(log.reasons().at("rss_bytes"), "process 7 has exited");
    for (std::size_t i = 0; i < IssueLog::kMaxIssues + 10; ++i) log.note("f", std::to_string(i), 0);
    EXPECT_EQ(log.issues().size(), IssueLog::kMaxIssues);
    EXPECT_GT(log.overflow(), 0u);
}
