#include "node_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "edgebench/http_client.hpp"

extern char** environ;

namespace edgebench::test {
namespace {

std::string program_from(const char* variable, const char* built) {
    const char* path = std::getenv(variable);
    if (path && *path) return path;
    return built;
}

std::string read_all(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace

std::string edge_program() { return program_from("EDGEBENCH_EDGE_BIN", EDGEBENCH_EDGE_PROGRAM); }
std::string cloud_program() { return program_from("EDGEBENCH_CLOUD_BIN", EDGEBENCH_CLOUD_PROGRAM); }
std::string workload_program() { return program_from("EDGEBENCH_WORKLOAD_BIN", EDGEBENCH_WORKLOAD_PROGRAM); }

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_file,
                           const std::map<std::string, std::string>& env)
    : log_file_(log_file) {
    std::vector<std::string> environment;
    for (char** entry = environ; *entry; ++entry) {
        const std::string text = *entry;
        const auto name = text.substr(0, text.find('='));
        if (!env.count(name)) environment.push_back(text);
    }
    for (const auto& [name, value] : env) environment.push_back(name + "=" + value);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    // The child starts with the default signal mask and dispositions, whatever the test runner set.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attributes, &empty);
    sigset_t all;
    sigfillset(&all);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const int failed = posix_spawn(&pid_, args[0], &actions, &attributes, args.data(), envp.data());
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (failed != 0) throw std::runtime_error("cannot start " + argv[0]);
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

void ChildProcess::send_signal(int signal) const {
    if (pid_ > 0 && !reaped_) ::kill(pid_, signal);
}

int ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (reaped_) return status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            reaped_ = true;
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
            return status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

bool ChildProcess::running() { return wait(std::chrono::milliseconds(0)) == -1 && !reaped_; }

std::string ChildProcess::log() const { return read_all(log_file_); }

NodeProcess::NodeProcess(const std::string& program, const std::vector<std::string>& args,
                         const std::filesystem::path& work_dir, const std::string& name, const std::string& token) {
    const auto port_file = work_dir / (name + ".port");
    std::filesystem::remove(port_file);
    std::vector<std::string> argv = {program, "--port", "0", "--port-file", port_file.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(argv, work_dir / (name + ".log"));

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (port_ == 0) {
        if (std::filesystem::exists(port_file)) port_ = std::atoi(read_all(port_file).c_str());
        if (port_ != 0) break;
        if (!process_->running()) throw std::runtime_error(name + " exited at start: " + process_->log());
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error(name + " wrote no port: " + process_->log());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    url_ = "http://127.0.0.1:" + std::to_string(port_);
    HttpClientOptions options;
    options.bearer_token = token;
    options.timeout_ms = 2000;
    HttpClient client(options);
    while (!client.get(url_ + "/healthz").ok()) {
        if (!process_->running()) throw std::runtime_error(name + " exited: " + process_->log());
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error(name + " does not answer: " + process_->log());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

int NodeProcess::stop(int signal) {
    process_->send_signal(signal);
    return process_->wait(std::chrono::seconds(60));
}

std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& file) {
    const std::string text = read_all(file);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(std::move(cell));
            cell.clear();
        } else if (c == '\n') {
            row.push_back(std::move(cell));
            cell.clear();
            rows.push_back(std::move(row));
            row.clear();
        } else if (c != '\r') {
            cell += c;
        }
    }
    std::vector<std::map<std::string, std::string>> result;
    if (rows.empty()) return result;
    const auto& header = rows.front();
    for (std::size_t r = 1; r < rows.size(); ++r) {
        if (rows[r].size() != header.size()) throw std::runtime_error(file.string() + ": row " + std::to_string(r) + " has " +
                                                                     std::to_string(rows[r].size()) + " cells for " +
                                                                     std::to_string(header.size()) + " columns");
        std::map<std::string, std::string> entry;
        for (std::size_t c = 0; c < header.size(); ++c) entry[header[c]] = rows[r][c];
        result.push_back(std::move(entry));
    }
    return result;
}

}  // namespace edgebench::test
