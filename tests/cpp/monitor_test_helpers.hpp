#pragma once
// Real activity for the monitor tests: burning CPU, forking helper processes, parsing hw.csv.

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace edgebench::test {

inline double thread_cpu_s() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// Burns `seconds` of this thread's CPU time (not wall time, so that a loaded machine only makes it
/// take longer).
inline void burn_cpu(double seconds) {
    const double end = thread_cpu_s() + seconds;
    volatile double sink = 0;
    while (thread_cpu_s() < end) {
        for (int i = 0; i < 20000; ++i) sink = sink + i * 0.5;
    }
}

/// A forked child that runs `body` and exits with its result. Only async-signal-safe work belongs in
/// `body` when the parent has threads.
template <typename Body>
pid_t fork_child(Body body) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(body());
    return pid;
}

inline int reap(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// hw.csv as rows of column -> cell (no quoting needed: the tests' node names have no commas).
inline std::vector<std::map<std::string, std::string>> parse_csv(const std::string& text) {
    std::vector<std::map<std::string, std::string>> rows;
    std::istringstream in(text);
    std::string line;
    std::vector<std::string> header;
    const auto split = [](const std::string& l) {
        std::vector<std::string> cells;
        std::string cell;
        std::istringstream cells_in(l);
        while (std::getline(cells_in, cell, ',')) cells.push_back(cell);
        if (!l.empty() && l.back() == ',') cells.emplace_back();
        return cells;
    };
    while (std::getline(in, line)) {
        const auto cells = split(line);
        if (header.empty()) {
            header = cells;
            continue;
        }
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header.size(); ++i) row[header[i]] = i < cells.size() ? cells[i] : "<missing>";
        row["<cells>"] = std::to_string(cells.size());
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace edgebench::test
