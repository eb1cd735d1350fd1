#include "runner/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "edgebench/error.hpp"

extern char** environ;

namespace edgebench::detail {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                           const std::filesystem::path& log_file)
    : log_file_(log_file) {
    if (argv.empty()) throw Error("no program to start", "argv");
    // Everything the child needs is prepared before fork: only async-signal-safe calls may follow it.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; e && *e; ++e) {
        const std::string entry(*e);
        const auto name = entry.substr(0, entry.find('='));
        bool overridden = false;
        for (const auto& o : environment) overridden |= o.substr(0, o.find('=')) == name;
        if (!overridden) env_strings.push_back(entry);
    }
    env_strings.insert(env_strings.end(), environment.begin(), environment.end());
    std::vector<char*> env;
    for (auto& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    std::error_code ec;
    if (log_file.has_parent_path()) std::filesystem::create_directories(log_file.parent_path(), ec);
    const int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) throw Error(std::string("cannot open log: ") + std::strerror(errno), {}, log_file.string());
    const pid_t parent = ::getpid();

    // Signals blocked in the parent (the node programs block SIGINT/SIGTERM) must not stay blocked.
    sigset_t empty;
    sigemptyset(&empty);

    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(log);
        throw Error(std::string("fork failed: ") + std::strerror(errno), "argv");
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(126);  // the runner died before prctl took effect
        ::sigprocmask(SIG_SETMASK, &empty, nullptr);
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        const int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, STDIN_FILENO);
        ::execve(args[0], args.data(), env.data());
        const char message[] = "exec failed\n";
        [[maybe_unused]] auto written = ::write(STDERR_FILENO, message, sizeof message - 1);
        ::_exit(127);
    }
    ::close(log);
    pid_ = pid;
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_) stop(std::chrono::seconds(10));
}

void ChildProcess::reap(bool wait) {
    if (pid_ <= 0 || status_) return;
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, wait ? 0 : WNOHANG);
    if (done == pid_) {
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    } else if (done < 0 && errno == ECHILD) {
        status_ = -1;
    }
}

bool ChildProcess::running() {
    reap(false);
    return pid_ > 0 && !status_;
}

std::optional<int> ChildProcess::exit_status() {
    reap(false);
    return status_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    if (running()) {
        ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (running() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (running()) ::kill(pid_, SIGKILL);
    }
    reap(true);
    return status_.value_or(-1);
}

void ChildProcess::kill_now() {
    if (running()) ::kill(pid_, SIGKILL);
    reap(true);
}

std::string ChildProcess::log_tail(std::size_t max_bytes) const {
    std::ifstream in(log_file_, std::ios::binary | std::ios::ate);
    if (!in) return {};
    const auto size = static_cast<std::size_t>(in.tellg());
    const std::size_t start = size > max_bytes ? size - max_bytes : 0;
    in.seekg(static_cast<std::streamoff>(start));
    std::string text(size - start, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

}  // namespace edgebench::detail
