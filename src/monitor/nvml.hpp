#pragma once
// GPU memory and utilisation through NVML, loaded at run time with dlopen so that edgebench has no
// build or link dependency on the NVIDIA driver. Where there is no driver, `available()` is false and
// `error()` says why.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "edgebench/hw_sample.hpp"

namespace edgebench::detail {

class Nvml {
public:
    /// Loads `library` (normally the driver's libnvidia-ml.so.1), resolves the functions used and
    /// initialises NVML. Never throws.
    explicit Nvml(const char* library = "libnvidia-ml.so.1");
    ~Nvml();
    Nvml(const Nvml&) = delete;
    Nvml& operator=(const Nvml&) = delete;

    bool available() const noexcept { return initialised_; }
    const std::string& error() const noexcept { return error_; }
    unsigned device_count() const noexcept { return static_cast<unsigned>(devices_.size()); }

    /// One reading per device. A device whose query fails has empty fields, and `error` says why.
    std::vector<HwGpu> read(std::string& error) const;

private:
    // The few NVML entry points used, by their documented C signatures. nvmlReturn_t is an enum
    // (0 = NVML_SUCCESS) and nvmlDevice_t an opaque pointer.
    using Device = void*;
    struct Memory {  // nvmlMemory_t (v1): bytes
        unsigned long long total;
        unsigned long long free;
        unsigned long long used;
    };
    struct Utilization {  // nvmlUtilization_t: percent over the driver's last sample period
        unsigned int gpu;
        unsigned int memory;
    };
    using InitFn = int (*)();
    using ShutdownFn = int (*)();
    using CountFn = int (*)(unsigned int*);
    using HandleFn = int (*)(unsigned int, Device*);
    using MemoryFn = int (*)(Device, Memory*);
    using UtilizationFn = int (*)(Device, Utilization*);
    using ErrorStringFn = const char* (*)(int);

    std::string describe(const char* call, int result) const;

    void* handle_ = nullptr;  // from dlopen; closed by the destructor
    bool initialised_ = false;
    std::string error_;
    ShutdownFn shutdown_ = nullptr;
    MemoryFn memory_info_ = nullptr;
    UtilizationFn utilization_ = nullptr;
    ErrorStringFn error_string_ = nullptr;
    std::vector<Device> devices_;
};

}  // namespace edgebench::detail
