#include "edgebench/node_server.hpp"

#include <httplib.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "edgebench/error.hpp"
#include "edgebench/stage_clock.hpp"

namespace edgebench {
namespace {

void send_error(httplib::Response& response, int status, const std::string& message, const std::string& field = {}) {
    nlohmann::json body = {{"error", message}};
    if (!field.empty()) body["field"] = field;
    response.status = status;
    // Messages quote the request (its path, a header, the bytes where JSON parsing stopped), which need
    // not be UTF-8; a strict dump would throw here, inside httplib's error handler, and end the process.
    response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

// Compares in time that depends only on the lengths, so that a token cannot be guessed byte by byte.
bool constant_time_equal(std::string_view a, std::string_view b) {
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        difference |= static_cast<unsigned char>(x ^ y);
    }
    return difference == 0;
}

void refuse(httplib::Response& response) {
    response.set_header("WWW-Authenticate", "Bearer");
    send_error(response, 401, "missing or wrong bearer token", "Authorization");
}

InferRequest read_request(const httplib::Request& request) {
    if (request.is_multipart_form_data()) {
        if (!request.has_file("image")) throw Error("missing 'image' part in multipart request", "image");
        const auto& image = request.get_file_value("image").content;
        const std::string metadata = request.has_file("metadata") ? request.get_file_value("metadata").content : "";
        return parse_infer_metadata(metadata, std::vector<std::uint8_t>(image.begin(), image.end()));
    }
    const std::string type = request.get_header_value("Content-Type");
    if (!type.empty() && type.find("application/json") == std::string::npos) {
        throw Error("unsupported Content-Type '" + type + "'; send application/json or multipart/form-data",
                    "Content-Type");
    }
    return parse_infer_json(request.body);
}

}  // namespace

struct NodeServer::State {
    std::shared_ptr<NodeService> service;
    ServerOptions options;

    bool authorized(const httplib::Request& request) const {
        if (options.bearer_token.empty()) return true;
        const std::string header = request.get_header_value("Authorization");
        constexpr std::string_view prefix = "Bearer ";
        return header.rfind(prefix, 0) == 0 &&
               constant_time_equal(std::string_view(header).substr(prefix.size()), options.bearer_token);
    }

    std::shared_ptr<RequestLog> log;
    httplib::Server server;
    int port = 0;
    bool served = false;  // guarded by stop_mutex
    std::thread background;
    std::mutex stop_mutex;
};

NodeServer::NodeServer(std::shared_ptr<NodeService> service, ServerOptions options, std::shared_ptr<RequestLog> log)
    : state_(std::make_unique<State>()) {
    if (!service) throw Error("no service to serve", "service");
    if (options.workers < 1) throw Error("must be at least 1", "workers");
    if (options.max_body_bytes == 0) throw Error("must be positive", "max_body_bytes");
    state_->service = std::move(service);
    state_->options = std::move(options);
    state_->log = std::move(log);
    State& s = *state_;
    auto& server = s.server;

    const auto workers = static_cast<std::size_t>(s.options.workers);
    // httplib's API hands it the queue as a raw pointer, which it owns and deletes.
    server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    server.set_payload_max_length(s.options.max_body_bytes);
    server.set_read_timeout(s.options.read_timeout_s, 0);
    server.set_keep_alive_max_count(1'000'000);
    server.set_keep_alive_timeout(s.options.keep_alive_timeout_s);
    server.set_tcp_nodelay(true);

    // httplib answers a pre-routing rejection without reading the request's body, which then stays in
    // the connection and is parsed as the next request: a keep-alive client's following request fails
    // with a bogus 400/414. So requests whose body httplib reads (POST, PUT, PATCH, DELETE with a length)
    // pass through here, are read in full (within the body limit), and are refused by their handler or,
    // for unknown paths, by the error handler; the others are refused right here.
    server.set_pre_routing_handler([&s](const httplib::Request& request, httplib::Response& response) {
        if (s.authorized(request)) return httplib::Server::HandlerResponse::Unhandled;
        const bool body_is_read = request.method == "POST" || request.method == "PUT" || request.method == "PATCH" ||
                                  (request.method == "DELETE" && request.has_header("Content-Length"));
        if (body_is_read) return httplib::Server::HandlerResponse::Unhandled;
        refuse(response);
        return httplib::Server::HandlerResponse::Handled;
    });

    server.Get("/healthz", [&s](const httplib::Request&, httplib::Response& response) {
        response.set_content(nlohmann::json({{"status", "ok"}, {"node", s.service->name()}}).dump(), "application/json");
    });

    server.Get("/v1/config", [&s](const httplib::Request&, httplib::Response& response) {
        response.set_content(s.service->config_json(), "application/json");
    });

    server.Put("/v1/config", [&s](const httplib::Request& request, httplib::Response& response) {
        if (!s.authorized(request)) return refuse(response);
        try {
            s.service->update_config(request.body);
            response.set_content(s.service->config_json(), "application/json");
        } catch (const Error& error) {
            send_error(response, 400, error.message(), error.field());
        }
    });

    server.Post("/v1/hw/sample", [&s](const httplib::Request& request, httplib::Response& response) {
        if (!s.authorized(request)) return refuse(response);
        if (!s.options.take_hardware_sample) {
            return send_error(response, 404, "this node does not monitor its hardware (start it with --out and "
                                             "--monitor-period)", "");
        }
        try {
            s.options.take_hardware_sample();
            response.set_content(R"({"sampled":true})", "application/json");
        } catch (const std::exception& error) {
            send_error(response, 409, error.what(), "");
        }
    });

    server.Post("/v1/infer", [&s](const httplib::Request& request, httplib::Response& response) {
        if (!s.authorized(request)) return refuse(response);
        try {
            const StageClock parse;
            InferRequest parsed = read_request(request);
            parsed.parse_time = StageCost{parse.elapsed_wall_ms(), parse.elapsed_cpu_ms()};
            const InferResponse answer = s.service->infer(std::move(parsed));
            response.set_content(infer_response_to_json(answer), "application/json");
        } catch (const Error& error) {
            if (s.log) s.log->record_failure(s.service->name(), "", error.what());
            send_error(response, 400, error.message(), error.field());
        }
    });

    // Anything that escaped a handler: answer, log, keep serving.
    server.set_exception_handler([&s](const httplib::Request&, httplib::Response& response, std::exception_ptr failure) {
        std::string message = "internal error";
        try {
            if (failure) std::rethrow_exception(failure);
        } catch (const std::exception& error) {
            message = error.what();
        } catch (...) {
        }
        if (s.log) s.log->record_failure(s.service->name(), "", message);
        send_error(response, 500, message);
    });

    // Errors httplib produces itself (404, 413 payload too large, ...) get a JSON body too.
    server.set_error_handler([&s](const httplib::Request& request, httplib::Response& response) {
        if (!s.authorized(request)) return refuse(response);  // an unknown path is no business of a stranger
        if (!response.body.empty()) return;
        std::string message = "HTTP error " + std::to_string(response.status);
        switch (response.status) {
            case 400: message = "malformed HTTP request"; break;
            case 404: message = "no endpoint " + request.method + " " + request.path; break;
            case 405: message = "method not allowed on " + request.path; break;
            case 413: message = "request body exceeds the size limit"; break;
            case 414: message = "URI too long"; break;
            case 415: message = "unsupported media type"; break;
            default: break;
        }
        send_error(response, response.status, message);
    });

    if (s.options.port == 0) {
        s.port = server.bind_to_any_port(s.options.host);
    } else {
        s.port = server.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1;
    }
    if (s.port <= 0) {
        throw Error("cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) +
                        " (address in use, or not an address of this host)",
                    "port");
    }
}

NodeServer::~NodeServer() { stop(); }

void NodeServer::serve() {
    {
        std::lock_guard lock(state_->stop_mutex);
        state_->served = true;
    }
    state_->server.listen_after_bind();
}

void NodeServer::start() {
    std::lock_guard lock(state_->stop_mutex);
    if (state_->background.joinable()) return;
    state_->served = true;
    state_->background = std::thread([this] { state_->server.listen_after_bind(); });
    // Return once the server accepts connections, so callers can send requests right away.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!state_->server.is_running()) {
        if (std::chrono::steady_clock::now() > deadline) throw Error("the HTTP server did not start", "port");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void NodeServer::stop() {
    std::unique_lock lock(state_->stop_mutex);
    if (!state_->served) {
        // httplib closes the listening socket only from a running server: run it, so that stopping it
        // releases the port instead of leaving connections hanging in its backlog.
        lock.unlock();
        start();
        lock.lock();
    }
    state_->server.stop();
    if (state_->background.joinable()) state_->background.join();
}

int NodeServer::port() const noexcept { return state_->port; }

std::string NodeServer::url() const {
    const std::string host = state_->options.host == "0.0.0.0" ? "127.0.0.1" : state_->options.host;
    return "http://" + host + ":" + std::to_string(state_->port);
}

}  // namespace edgebench
