#pragma once
/// \file
/// The HTTP face of an edge or cloud node (wire protocol of DESIGN section 4):
///   POST /v1/infer   JSON {"image_id", "image_b64", "annotations", "preprocess"} or multipart/form-data
///                    with an `image` part and a JSON `metadata` part; answers the InferResponse JSON
///   GET  /healthz    {"status": "ok", "node": ...}
///   GET  /v1/config  the node's configuration
///   PUT  /v1/config  a partial configuration to apply without a restart
///   POST /v1/hw/sample  takes a hardware sample now (when the node monitors its hardware; 404 otherwise)
/// Errors are JSON {"error": "...", "field": "..."} with a 4xx status; the server keeps serving.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "edgebench/node_service.hpp"
#include "edgebench/request_log.hpp"

namespace edgebench {

struct ServerOptions {
    /// Loopback unless told otherwise: a benchmark node should not be reachable from the network by accident.
    std::string host = "127.0.0.1";
    int port = 0;  ///< 0: any free port (see NodeServer::port())
    /// When set, every endpoint requires `Authorization: Bearer <token>` (401 otherwise).
    std::string bearer_token;
    std::size_t max_body_bytes = 32u << 20;
    /// Requests served at once.
    int workers = 4;
    int read_timeout_s = 30;
    /// How long an idle keep-alive connection is kept. Each one holds a worker, and stopping waits for
    /// them, so this stays short.
    int keep_alive_timeout_s = 2;
    /// Called by POST /v1/hw/sample: the experiment runner closes each run with a sample from every
    /// node, so that runs shorter than the monitoring period still have one. Unset: that path is 404.
    std::function<void()> take_hardware_sample;
};

/// Serves a NodeService over HTTP with a pool of worker threads.
class NodeServer {
public:
    /// Binds the socket at once (so that the port is known before serving); throws `Error` when it cannot.
    /// Requests that fail before reaching the service (bad JSON, bad base64, too large) are recorded in
    /// `log` when one is given.
    NodeServer(std::shared_ptr<NodeService> service, ServerOptions options, std::shared_ptr<RequestLog> log = nullptr);
    /// Stops (see stop()).
    ~NodeServer();
    NodeServer(const NodeServer&) = delete;
    NodeServer& operator=(const NodeServer&) = delete;

    /// Serves until stop() is called. Blocks.
    void serve();
    /// Serves on a background thread.
    void start();
    /// Stops accepting connections, lets requests in flight finish, and returns when they have. Safe to
    /// call from any thread, more than once.
    void stop();

    int port() const noexcept;
    std::string url() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace edgebench
