// HwMonitor on real activity: each field moves when it should.

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "edgebench/error.hpp"
#include "edgebench/hw_csv.hpp"
#include "edgebench/hw_monitor.hpp"
#include "monitor_test_helpers.hpp"
#include "test_support.hpp"

using namespace edgebench;
using namespace std::chrono_literals;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

HwMonitorOptions fast(std::chrono::microseconds period = 50ms) {
    HwMonitorOptions options;
    options.period = period;
    options.node = "test-node";
    return options;
}

double cpu_total(const HwSample& s) { return s.cpu_user_s.value_or(-1e9) + s.cpu_system_s.value_or(-1e9); }

bool sanitized() {
#if defined(__SANITIZE_ADDRESS__)
    return true;
#else
    return false;
#endif
}

}  // namespace

TEST(HwMonitor, BurningOneSecondOfCpuRaisesCpuTimeByAboutASecond) {
    HwMonitor monitor(fast());
    const auto before = monitor.snapshot();
    ASSERT_TRUE(before.cpu_user_s && before.cpu_system_s);
    monitor.start();
    test::burn_cpu(1.0);
    monitor.stop();
    const auto samples = monitor.samples();
    ASSERT_GE(samples.size(), 2u);
    // Cumulative time: the burn plus a little for the sampling thread and the test itself.
    const double burned = cpu_total(samples.back()) - cpu_total(before);
    EXPECT_GT(burned, 0.95);
    EXPECT_LT(burned, 1.3);
    // Utilisation integrated over the intervals tells the same story.
    double integrated = 0;
    for (const auto& s : samples) {
        ASSERT_TRUE(s.cpu_util_pct) << "sample " << s.seq;
        integrated += *s.cpu_util_pct / 100.0 * s.interval_s;
        EXPECT_GE(*s.cpu_util_pct, 0.0);
    }
    EXPECT_NEAR(integrated, burned, 0.2);
    // The host was busy at least as much as this process over the run.
    double host_busy_core_s = 0;
    for (const auto& s : samples) host_busy_core_s += s.host_cpu_util_pct.value_or(0) / 100.0 * s.interval_s;
    EXPECT_GT(host_busy_core_s * static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN)), 0.8);
    EXPECT_GT(samples.back().monitor_cpu_s, 0.0);
    EXPECT_LT(samples.back().monitor_cpu_s, 0.2);
}

TEST(HwMonitor, TouchingTwoHundredMegabytesRaisesResidentMemoryByAsMuch) {
    HwMonitor monitor(fast());
    const auto before = monitor.snapshot();
    ASSERT_TRUE(before.rss_bytes);
    monitor.start();
    constexpr std::size_t kBytes = 200u * 1024 * 1024;
    std::vector<char> block(kBytes);
    for (std::size_t i = 0; i < kBytes; i += 4096) block[i] = static_cast<char>(i);
    std::this_thread::sleep_for(150ms);  // a few samples with the block resident
    const auto during = monitor.snapshot();
    const double grown_mib = (static_cast<double>(*during.rss_bytes) - static_cast<double>(*before.rss_bytes)) / kMiB;
    EXPECT_GT(grown_mib, 190.0);
    EXPECT_LT(grown_mib, 240.0);
    ASSERT_TRUE(during.rss_peak_bytes);
    EXPECT_GE(*during.rss_peak_bytes, *during.rss_bytes);

    block = std::vector<char>();  // a block this big is unmapped at once by malloc
    monitor.stop();
    const auto samples = monitor.samples();
    std::uint64_t highest = 0;
    for (const auto& s : samples) highest = std::max(highest, s.rss_bytes.value_or(0));
    EXPECT_GT(static_cast<double>(highest) - static_cast<double>(*before.rss_bytes), 190.0 * kMiB);
    if (!sanitized()) {  // AddressSanitizer keeps freed memory in quarantine
        const auto after = monitor.snapshot();
        EXPECT_LT(static_cast<double>(*after.rss_bytes), static_cast<double>(*during.rss_bytes) - 150.0 * kMiB);
        EXPECT_GE(*after.rss_peak_bytes, *during.rss_bytes);  // the peak remembers
    }
}

TEST(HwMonitor, TenMegabytesOverLoopbackRaiseTheByteCountersByAtLeastThat) {
    const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(server, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ASSERT_EQ(::listen(server, 1), 0);
    socklen_t length = sizeof(address);
    ASSERT_EQ(::getsockname(server, reinterpret_cast<sockaddr*>(&address), &length), 0);

    HwMonitor monitor(fast());
    const auto before = monitor.snapshot();
    monitor.start();
    constexpr std::size_t kBytes = 10u * 1000 * 1000;
    std::thread sender([&] {
        const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return;
        const std::vector<char> chunk(64 * 1024, 'x');
        std::size_t sent = 0;
        while (sent < kBytes) {
            const ssize_t n = ::send(client, chunk.data(), std::min(chunk.size(), kBytes - sent), MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        ::close(client);
    });
    const int connection = ::accept(server, nullptr, nullptr);
    std::size_t received = 0;
    std::vector<char> buffer(64 * 1024);
    for (ssize_t n = 0; (n = ::recv(connection, buffer.data(), buffer.size(), 0)) > 0;) received += static_cast<std::size_t>(n);
    sender.join();
    ::close(connection);
    ::close(server);
    ASSERT_EQ(received, kBytes);
    const auto after = monitor.snapshot();
    monitor.stop();

    // The snapshot covers the interval since the last sample only; the samples cover the whole run.
    const auto samples = monitor.samples();
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;
    std::uint64_t lo_rx = 0;
    std::uint64_t lo_tx = 0;
    for (const auto& s : samples) {
        ASSERT_TRUE(s.net_rx_bytes && s.net_tx_bytes && s.net_rx_packets && s.net_tx_packets);
        rx += *s.net_rx_bytes;
        tx += *s.net_tx_bytes;
        for (const auto& interface : s.interfaces) {
            if (interface.name != "lo") continue;
            lo_rx += interface.rx_bytes;
            lo_tx += interface.tx_bytes;
        }
    }
    EXPECT_GE(lo_rx, kBytes);
    EXPECT_GE(lo_tx, kBytes);
    EXPECT_GE(rx, lo_rx);
    EXPECT_GE(tx, lo_tx);
    EXPECT_TRUE(before.net_rx_bytes && after.net_rx_bytes);
}

TEST(HwMonitor, WithoutAGpuDriverTheGpuFieldsAreNullWithAReason) {
    HwMonitor monitor(fast());
    monitor.start();
    std::this_thread::sleep_for(120ms);
    monitor.stop();
    const auto samples = monitor.samples();
    ASSERT_FALSE(samples.empty());
    void* nvml = ::dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (nvml) {
        // A machine with the driver: the same fields must hold real figures instead.
        ::dlclose(nvml);
        for (const auto& s : samples) {
            ASSERT_TRUE(s.gpu_count);
            if (*s.gpu_count == 0) continue;
            ASSERT_TRUE(s.gpu_mem_total_bytes && s.gpu_mem_used_bytes && s.gpu_util_pct);
            EXPECT_GT(*s.gpu_mem_total_bytes, 0u);
            EXPECT_LE(*s.gpu_mem_used_bytes, *s.gpu_mem_total_bytes);
        }
        return;
    }
    for (const auto& s : samples) {
        EXPECT_FALSE(s.gpu_count);
        EXPECT_FALSE(s.gpu_mem_used_bytes);
        EXPECT_FALSE(s.gpu_mem_total_bytes);
        EXPECT_FALSE(s.gpu_util_pct);
        EXPECT_TRUE(s.gpus.empty());
    }
    for (const char* field : {"gpu_count", "gpu_mem_used_bytes", "gpu_mem_total_bytes", "gpu_util_pct"}) {
        const auto why = monitor.reason(field);
        ASSERT_TRUE(why) << field;
        EXPECT_NE(why->find("libnvidia-ml.so.1"), std::string::npos) << *why;
    }
    // Recorded once, counted per sample: not one entry per sample.
    std::size_t gpu_entries = 0;
    for (const auto& issue : monitor.issues()) {
        if (issue.field != "gpu_util_pct") continue;
        ++gpu_entries;
        EXPECT_EQ(issue.count, samples.size());
    }
    EXPECT_EQ(gpu_entries, 1u);
}

TEST(HwMonitor, CyclesAreCountedOrNullWithAReason) {
    HwMonitor monitor(fast());
    monitor.start();
    test::burn_cpu(0.2);
    monitor.stop();
    const auto samples = monitor.samples();
    ASSERT_FALSE(samples.empty());
    if (samples.back().cycles) {
        std::uint64_t cycles = 0;
        for (const auto& s : samples) cycles += s.cycles.value_or(0);
        EXPECT_GT(cycles, 10'000'000u);  // 0.2 s on any CPU of this century
    } else {
        const auto why = monitor.reason("cycles");
        ASSERT_TRUE(why);
        EXPECT_NE(why->find("perf_event_open"), std::string::npos) << *why;
        EXPECT_TRUE(monitor.reason("instructions"));
    }
}

TEST(HwMonitor, StopsWithinOnePeriodAndWritesTheLastPartialInterval) {
    test::TempDir dir;
    HwMonitor monitor(fast(2s));
    monitor.write_csv(dir / "hw.csv", dir / "net.csv");
    monitor.start();
    std::this_thread::sleep_for(300ms);
    const auto asked = std::chrono::steady_clock::now();
    monitor.stop();
    const auto took = std::chrono::steady_clock::now() - asked;
    EXPECT_LT(took, 1s);  // the period is 2 s
    EXPECT_FALSE(monitor.running());
    const auto samples = monitor.samples();
    ASSERT_EQ(samples.size(), 1u);
    EXPECT_GT(samples[0].interval_s, 0.25);
    EXPECT_LT(samples[0].interval_s, 1.5);
    const auto rows = test::parse_csv(test::read_text(dir / "hw.csv"));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("node"), "test-node");
    EXPECT_EQ(rows[0].at("seq"), "0");
    EXPECT_NEAR(std::stod(rows[0].at("interval_s")), samples[0].interval_s, 1e-5);
    const auto net_rows = test::parse_csv(test::read_text(dir / "net.csv"));
    EXPECT_EQ(net_rows.size(), samples[0].interfaces.size());

    // Periodic sampling: a run of 0.5 s at 50 ms gives about ten samples, and a restart continues.
    HwMonitor periodic(fast(50ms));
    periodic.start();
    std::this_thread::sleep_for(500ms);
    periodic.stop();
    const auto count = periodic.samples().size();
    EXPECT_GE(count, 3u);  // fewer when a loaded machine wakes the thread late
    EXPECT_LE(count, 12u);
    periodic.start();
    std::this_thread::sleep_for(60ms);
    periodic.stop();
    const auto all = periodic.samples();
    ASSERT_GT(all.size(), count);
    for (std::size_t i = 1; i < all.size(); ++i) {
        EXPECT_EQ(all[i].seq, all[i - 1].seq + 1);
        EXPECT_GT(all[i].mono_s, all[i - 1].mono_s);
        EXPECT_GE(all[i].monitor_cpu_s, all[i - 1].monitor_cpu_s);
    }
}

TEST(HwMonitor, ProcessTreeCountsAChildThatBurnsCpu) {
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    // parent (this test) -> child (waits, starts a grandchild that burns 0.6 s, waits for it, lingers).
    const pid_t child = test::fork_child([&] {
        ::close(go[1]);
        char byte = 0;
        if (::read(go[0], &byte, 1) != 1) return 1;
        const pid_t grandchild = ::fork();
        if (grandchild == 0) {
            test::burn_cpu(0.6);
            ::_exit(0);
        }
        int status = 0;
        ::waitpid(grandchild, &status, 0);
        ::usleep(200'000);
        return 0;
    });
    ::close(go[0]);
    ASSERT_GT(child, 0);

    auto tree_options = fast();
    tree_options.target = HwTarget::tree(child);
    auto single_options = fast();
    single_options.target = HwTarget::process(child);
    HwMonitor tree(tree_options);
    HwMonitor single(single_options);
    tree.start();
    single.start();
    ASSERT_EQ(::write(go[1], "g", 1), 1);
    ::close(go[1]);
    siginfo_t info{};
    ::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT);  // exited, not yet reaped
    tree.stop();
    single.stop();
    EXPECT_EQ(test::reap(child), 0);

    const auto tree_samples = tree.samples();
    const auto single_samples = single.samples();
    ASSERT_FALSE(tree_samples.empty());
    ASSERT_FALSE(single_samples.empty());
    EXPECT_GT(cpu_total(tree_samples.back()), 0.5);  // the grandchild's burn
    EXPECT_LT(cpu_total(single_samples.back()), 0.2);  // the child itself only waited
    std::int64_t most = 0;
    for (const auto& s : tree_samples) most = std::max(most, s.processes.value_or(0));
    EXPECT_EQ(most, 2);
    EXPECT_EQ(tree_samples.back().pid, child);
}

TEST(HwMonitor, AProcessThatExitsMidRunIsRecordedAndSamplingContinues) {
    const pid_t child = test::fork_child([] {
        ::pause();
        return 0;
    });
    ASSERT_GT(child, 0);
    auto options = fast();
    options.target = HwTarget::process(child);
    HwMonitor monitor(options);
    monitor.start();
    std::this_thread::sleep_for(200ms);
    ::kill(child, SIGKILL);
    test::reap(child);
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(monitor.running());
    monitor.stop();

    const auto samples = monitor.samples();
    std::size_t alive = 0;
    std::size_t gone = 0;
    std::size_t host_cpu_read = 0;
    for (const auto& s : samples) {
        if (s.rss_bytes) {
            EXPECT_EQ(gone, 0u) << "a sample after the exit had process figures";
            ++alive;
        } else {
            ++gone;
            EXPECT_FALSE(s.cpu_user_s);
            EXPECT_TRUE(s.host_mem_total_bytes);  // the rest of the sample is still read
            EXPECT_TRUE(s.net_rx_bytes);
            // Null only in an interval too short for the kernel's CPU accounting to move.
            host_cpu_read += s.host_cpu_util_pct ? 1 : 0;
        }
    }
    EXPECT_GE(alive, 1u);
    EXPECT_GE(gone, 2u);
    EXPECT_GE(host_cpu_read, 1u);
    const auto why = monitor.reason("cpu_user_s");
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("process " + std::to_string(child) + " has exited"), std::string::npos) << *why;
    bool counted = false;
    for (const auto& issue : monitor.issues()) {
        if (issue.field == "rss_bytes") counted = issue.count == gone;
    }
    EXPECT_TRUE(counted);
}

TEST(HwMonitor, BadSettingsThrowErrorsThatNameTheField) {
    auto options = fast(5ms);
    try {
        HwMonitor monitor(options);
        FAIL() << "a 5 ms period was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "period");
    }
    options = fast();
    options.target = HwTarget::process(0);
    EXPECT_THROW(options.validate(), Error);
    options.target = HwTarget::process(999'999'999);
    try {
        HwMonitor monitor(options);
        FAIL() << "a pid that does not exist was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "pid");
    }
    HwMonitor designated({.period = 100ms, .node = "edge-1"});  // as the README shows it
    EXPECT_EQ(designated.options().node, "edge-1");
    HwMonitor monitor(fast());
    monitor.start();
    EXPECT_THROW(monitor.start(), Error);
    EXPECT_THROW(monitor.on_sample([](const HwSample&) {}), Error);
    monitor.stop();
    monitor.stop();  // twice is fine
}

TEST(HwMonitor, CallbacksQueueAndFailingConsumersDoNotStopSampling) {
    auto options = fast();
    options.keep_samples = 3;
    HwMonitor monitor(options);
    std::atomic<int> calls{0};
    monitor.on_sample([&](const HwSample&) { ++calls; });
    monitor.on_sample([](const HwSample&) { throw std::runtime_error("consumer broke"); });
    monitor.start();
    std::this_thread::sleep_for(400ms);
    monitor.stop();
    EXPECT_GE(calls.load(), 4);
    EXPECT_EQ(monitor.sample_count(), static_cast<std::uint64_t>(calls.load()));
    const auto kept = monitor.take_samples();
    ASSERT_EQ(kept.size(), 3u);  // the latest three
    EXPECT_EQ(kept.back().seq + 1, monitor.sample_count());
    EXPECT_TRUE(monitor.samples().empty());  // drained
    EXPECT_EQ(monitor.reason("callback").value_or(""), "consumer broke");
}

TEST(HwCsv, HeaderOnceRowsMatchTheColumnsAndAppendingChecksTheHeader) {
    test::TempDir dir;
    HwSample sample;
    sample.node = "edge, \"one\"";
    sample.cpu_user_s = 1.5;
    sample.rss_bytes = 123;
    sample.interfaces.push_back({"lo", 1, 2, 3, 4});
    {
        HwCsvSink sink(dir / "hw.csv", dir / "net.csv");
        sink.write(sample);
        sample.seq = 1;
        sink.write(sample);
    }
    {
        HwCsvSink again(dir / "hw.csv", {}, true);  // same columns: appends below the header
        sample.seq = 2;
        again.write(sample);
    }
    const auto text = test::read_text(dir / "hw.csv");
    EXPECT_EQ(text.rfind(hw_csv_header(), 0), 0u);
    EXPECT_EQ(text.find("time_unix_s", 1), std::string::npos);
    EXPECT_NE(text.find(",\"edge, \"\"one\"\"\","), std::string::npos) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
    const auto row = hw_csv_row(sample);
    EXPECT_NE(row.find(",1.500000,"), std::string::npos);
    EXPECT_NE(row.find(",,"), std::string::npos);  // nulls are empty cells
    EXPECT_EQ(hw_net_csv_rows(sample), hw_net_csv_rows(sample));
    EXPECT_NE(test::read_text(dir / "net.csv").find(",lo,1,2,3,4\n"), std::string::npos);

    test::write_text(dir / "other.csv", "a,b\n1,2\n");
    try {
        HwCsvSink sink(dir / "other.csv", {}, true);
        FAIL() << "appended to a file with other columns";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("other.csv"), std::string::npos);
    }
    EXPECT_THROW(HwCsvSink(dir / "other.csv" / "hw.csv"), Error);  // a file where a folder should be
}

TEST(HwMonitor, SampleNowDeliversASampleAtOnceAndRestartsThePeriod) {
    test::TempDir dir;
    HwMonitor monitor(fast(10s));
    EXPECT_THROW(monitor.sample_now(), Error);  // not running
    monitor.write_csv(dir / "hw.csv");
    monitor.start();
    std::this_thread::sleep_for(100ms);
    const auto asked = std::chrono::steady_clock::now();
    const HwSample first = monitor.sample_now();
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);  // the period is 10 s
    EXPECT_EQ(first.seq, 0u);
    EXPECT_GT(first.interval_s, 0.05);
    // Already in the file when sample_now() returns: a reader that asked for it finds it.
    auto rows = test::parse_csv(test::read_text(dir / "hw.csv"));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("seq"), "0");

    // Several threads asking at once are all answered.
    std::vector<std::thread> askers;
    std::atomic<int> answered{0};
    for (int i = 0; i < 4; ++i) {
        askers.emplace_back([&] {
            const auto sample = monitor.sample_now();
            if (sample.seq >= 1) ++answered;
        });
    }
    for (auto& t : askers) t.join();
    EXPECT_EQ(answered, 4);
    monitor.stop();
    EXPECT_THROW(monitor.sample_now(), Error);  // stopped
    rows = test::parse_csv(test::read_text(dir / "hw.csv"));
    EXPECT_GE(rows.size(), 3u);  // the first, at least one for the askers, the last on stop
    for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].at("seq"), std::to_string(i));
}
