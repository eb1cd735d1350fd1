#include "monitor/nvml.hpp"

#include <dlfcn.h>

namespace edgebench::detail {
namespace {

template <typename Function>
Function resolve(void* handle, const char* name, std::string& missing) {
    void* symbol = ::dlsym(handle, name);
    if (!symbol && missing.empty()) missing = name;
    return reinterpret_cast<Function>(symbol);
}

}  // namespace

Nvml::Nvml(const char* library) {
    handle_ = ::dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
        const char* why = ::dlerror();
        error_ = std::string("NVML not available: cannot load ") + library + " (no NVIDIA driver?)" +
                 (why ? std::string(": ") + why : std::string());
        return;
    }
    std::string missing;
    const auto init = resolve<InitFn>(handle_, "nvmlInit_v2", missing);
    const auto count = resolve<CountFn>(handle_, "nvmlDeviceGetCount_v2", missing);
    const auto get_handle = resolve<HandleFn>(handle_, "nvmlDeviceGetHandleByIndex_v2", missing);
    memory_info_ = resolve<MemoryFn>(handle_, "nvmlDeviceGetMemoryInfo", missing);
    utilization_ = resolve<UtilizationFn>(handle_, "nvmlDeviceGetUtilizationRates", missing);
    shutdown_ = resolve<ShutdownFn>(handle_, "nvmlShutdown", missing);
    std::string optional_missing;  // error texts are a nicety; their absence is no reason to give up
    error_string_ = resolve<ErrorStringFn>(handle_, "nvmlErrorString", optional_missing);
    if (!missing.empty()) {
        error_ = std::string("NVML not available: ") + library + " lacks " + missing;
        return;
    }
    if (const int result = init(); result != 0) {
        error_ = "NVML not available: " + describe("nvmlInit_v2", result);
        return;
    }
    initialised_ = true;
    unsigned int devices = 0;
    if (const int result = count(&devices); result != 0) {
        error_ = "NVML: " + describe("nvmlDeviceGetCount_v2", result);
        return;
    }
    for (unsigned int i = 0; i < devices; ++i) {
        Device device = nullptr;
        if (const int result = get_handle(i, &device); result != 0) {
            error_ = "NVML: " + describe("nvmlDeviceGetHandleByIndex_v2", result);
            continue;
        }
        devices_.push_back(device);
    }
}

Nvml::~Nvml() {
    if (initialised_ && shutdown_) shutdown_();
    if (handle_) ::dlclose(handle_);
}

std::string Nvml::describe(const char* call, int result) const {
    std::string text = std::string(call) + " returned " + std::to_string(result);
    if (error_string_) {
        if (const char* words = error_string_(result)) text += std::string(" (") + words + ")";
    }
    return text;
}

std::vector<HwGpu> Nvml::read(std::string& error) const {
    std::vector<HwGpu> gpus;
    gpus.reserve(devices_.size());
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        HwGpu gpu;
        gpu.index = static_cast<unsigned>(i);
        Memory memory{};
        if (const int result = memory_info_(devices_[i], &memory); result == 0) {
            gpu.mem_used_bytes = memory.used;
            gpu.mem_total_bytes = memory.total;
        } else {
            error = "GPU " + std::to_string(i) + ": " + describe("nvmlDeviceGetMemoryInfo", result);
        }
        Utilization utilization{};
        if (const int result = utilization_(devices_[i], &utilization); result == 0) {
            gpu.util_pct = static_cast<double>(utilization.gpu);
        } else {
            error = "GPU " + std::to_string(i) + ": " + describe("nvmlDeviceGetUtilizationRates", result);
        }
        gpus.push_back(gpu);
    }
    return gpus;
}

}  // namespace edgebench::detail
