// docker_engine_available() and run_compose_files(): running the generated compose files where a Docker
// engine exists (never the case on the machine edgebench is developed on, which has the client only).

#include <fstream>

#include "edgebench/deployment.hpp"
#include "edgebench/error.hpp"
#include "runner/deployment_common.hpp"
#include "runner/system_command.hpp"

namespace edgebench {

bool docker_engine_available(std::string* why) {
    const auto docker = detail::find_system_program("docker");
    if (!docker) {
        if (why) *why = "the docker program is not installed";
        return false;
    }
    const auto info = detail::run_system_command({docker->string(), "info", "--format", "{{.ServerVersion}}"},
                                                 std::chrono::seconds(20));
    if (info.ok()) return true;
    if (why) {
        std::string text = info.timed_out ? "docker info did not answer within 20 s" : info.output;
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        *why = "no Docker engine answers (" + text.substr(0, 200) + ")";
    }
    return false;
}

std::vector<ComposeRunResult> run_compose_files(const DeploymentFiles& files, const DeploymentOptions& options) {
    const auto docker = detail::find_system_program("docker");
    if (!docker) throw Error("the docker program is not installed", "backend");
    const auto source = detail::deployment_source_dir(options);
    if (source.empty()) {
        throw Error("the edgebench source tree (the image's build context) is not known; set EDGEBENCH_SOURCE_DIR",
                    "backend");
    }
    constexpr auto kDay = std::chrono::hours(24);
    const auto build_log = files.directory / "build.log";
    const auto build = detail::run_system_command({docker->string(), "build", "-t", detail::deployment_image(options), "-f",
                                                   (files.directory / "Dockerfile").string(), source.string()},
                                                  kDay);
    std::ofstream(build_log) << build.output;
    if (!build.ok()) throw Error("docker build failed (see " + build_log.string() + ")", "backend");
    std::vector<ComposeRunResult> results;
    for (std::size_t i = 0; i < files.run_files.size(); ++i) {
        ComposeRunResult result;
        result.run_id = files.run_ids.at(i);
        const auto compose_file = files.run_files[i].string();
        result.log_file = files.run_files[i].parent_path() / "compose.log";
        const auto up = detail::run_system_command({docker->string(), "compose", "-f", compose_file, "up",
                                                    "--abort-on-container-exit", "--exit-code-from", "workload"},
                                                   kDay);
        const auto down = detail::run_system_command({docker->string(), "compose", "-f", compose_file, "down"},
                                                     std::chrono::minutes(10));
        std::ofstream(result.log_file) << up.output << down.output;
        result.status = up.status;
        results.push_back(result);
    }
    return results;
}

}  // namespace edgebench
