#include "monitor/process_tree.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <deque>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "monitor/proc_file.hpp"
#include "monitor/process_stat.hpp"

namespace edgebench::detail {
namespace {

struct DirCloser {
    void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

bool parse_pid(std::string_view text, int& pid) noexcept {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), pid);
    return error == std::errc() && end == text.data() + text.size() && pid > 0;
}

void append_pids(std::string_view text, std::vector<int>& out) {
    std::size_t at = 0;
    while (at < text.size()) {
        const auto begin = text.find_first_not_of(" \n", at);
        if (begin == std::string_view::npos) break;
        auto end = text.find_first_of(" \n", begin);
        if (end == std::string_view::npos) end = text.size();
        int pid = 0;
        if (parse_pid(text.substr(begin, end - begin), pid)) out.push_back(pid);
        at = end;
    }
}

// Parent -> children for every process, from a scan of /proc (the fallback path; costs one read per
// process on the host).
std::unordered_map<int, std::vector<int>> scan_children() {
    std::unordered_map<int, std::vector<int>> children;
    const DirPtr proc(::opendir("/proc"));
    if (!proc) return children;
    std::string text;
    while (const dirent* entry = ::readdir(proc.get())) {
        int pid = 0;
        if (!parse_pid(entry->d_name, pid)) continue;
        if (!read_proc_once("/proc/" + std::to_string(pid) + "/stat", text).empty()) continue;
        if (const auto stat = parse_process_stat(text)) children[stat->ppid].push_back(pid);
    }
    return children;
}

}  // namespace

std::vector<int> child_pids(int pid, bool& supported) {
    std::vector<int> children;
    const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
    const DirPtr tasks(::opendir(task_dir.c_str()));
    supported = true;
    if (!tasks) return children;
    std::string text;
    while (const dirent* entry = ::readdir(tasks.get())) {
        int tid = 0;
        if (!parse_pid(entry->d_name, tid)) continue;
        const std::string path = task_dir + "/" + entry->d_name + "/children";
        int error_number = 0;
        if (read_proc_once(path, text, &error_number).empty()) {
            append_pids(text, children);
        } else if (error_number == ENOENT) {
            // The thread may have exited; the file is missing for good only when the kernel lacks it.
            if (::access(task_dir.c_str(), F_OK) == 0 && ::access((task_dir + "/" + entry->d_name).c_str(), F_OK) == 0) {
                supported = false;
                return {};
            }
        }
    }
    return children;
}

void visit_process_tree(int root, const std::function<bool(int)>& visit, std::size_t limit) {
    std::deque<int> queue{root};
    std::unordered_set<int> seen{root};
    std::unordered_map<int, std::vector<int>> scanned;
    bool use_scan = false;
    std::size_t visited = 0;
    while (!queue.empty() && visited < limit) {
        const int pid = queue.front();
        queue.pop_front();
        ++visited;
        if (!visit(pid)) continue;
        std::vector<int> children;
        if (!use_scan) {
            bool supported = true;
            children = child_pids(pid, supported);
            if (!supported) {
                use_scan = true;
                scanned = scan_children();
            }
        }
        if (use_scan) {
            const auto found = scanned.find(pid);
            if (found != scanned.end()) children = found->second;
        }
        for (const int child : children) {
            if (seen.insert(child).second) queue.push_back(child);
        }
    }
}

}  // namespace edgebench::detail
