#pragma once
/// \file
/// What an edge or cloud node does, independent of transport: a request in, a response out, and a
/// configuration that can be read and changed while it serves.

#include <string>
#include <string_view>

#include "edgebench/infer_protocol.hpp"

namespace edgebench {

class NodeService {
public:
    virtual ~NodeService() = default;

    /// Serves one request. Thread-safe. Throws `Error` for bad input (the HTTP layer answers 400).
    virtual InferResponse infer(InferRequest request) = 0;
    /// The current configuration as JSON.
    virtual std::string config_json() const = 0;
    /// Applies a partial JSON configuration (only the keys given change). Heavy work such as loading a
    /// model happens before the switch, so requests keep being served with the old configuration until
    /// the new one is ready. Throws `Error` naming the bad key; the configuration is then unchanged.
    virtual void update_config(std::string_view json) = 0;
    /// The node's name, as it appears in records.
    virtual std::string name() const = 0;
};

}  // namespace edgebench
