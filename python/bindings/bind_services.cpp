// The wire protocol, the edge and cloud services, their HTTP server, the request log, the HTTP client
// and base64: everything a node is made of, usable in-process from Python.

#include <chrono>
#include <future>
#include <thread>

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "detector_holder.hpp"
#include "edgebench/base64.hpp"
#include "edgebench/cloud_service.hpp"
#include "edgebench/edge_service.hpp"
#include "edgebench/error.hpp"
#include "edgebench/http_client.hpp"
#include "edgebench/infer_protocol.hpp"
#include "edgebench/node_server.hpp"
#include "edgebench/node_service.hpp"
#include "edgebench/request_log.hpp"
#include "ndarray.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {
namespace {

// Text or bytes-like input as a std::string (JSON bodies, HTTP bodies).
std::string text_of(const py::object& value) {
    if (py::isinstance<py::str>(value)) return value.cast<std::string>();
    const ByteView bytes(value);
    return {reinterpret_cast<const char*>(bytes.span().data()), bytes.span().size()};
}

std::vector<std::uint8_t> bytes_of(const py::object& value) {
    const ByteView bytes(value);
    return {bytes.span().begin(), bytes.span().end()};
}

py::object json_loads(const std::string& text) { return py::module_::import("json").attr("loads")(text); }

std::optional<PreprocessConfig> preprocess_of(const py::object& value) {
    if (value.is_none()) return std::nullopt;
    if (py::isinstance<PreprocessConfig>(value)) return value.cast<PreprocessConfig>();
    if (py::isinstance<py::str>(value)) return PreprocessConfig::parse(value.cast<std::string>());
    throw py::type_error("preprocess must be a PreprocessConfig, a settings string or None");
}

// Keyword settings onto a config with merge_json (the same keys, checks and errors as the JSON the
// nodes accept); values that are edgebench objects are set directly.
template <typename Config>
Config config_from_kwargs(const py::kwargs& settings) {
    Config config;
    py::dict plain;
    for (const auto& [key, value] : settings) {
        const std::string name = py::cast<std::string>(key);
        if (py::isinstance<DetectorOptions>(value) && name == "detector_options") {
            config.detector_options = py::cast<DetectorOptions>(value);
        } else if constexpr (std::is_same_v<Config, EdgeConfig>) {
            if (name == "preprocess" && py::isinstance<PreprocessConfig>(value)) {
                config.preprocess = py::cast<PreprocessConfig>(value);
            } else if (name == "link" && py::isinstance<LinkProfile>(value)) {
                config.link = py::cast<LinkProfile>(value);
            } else {
                plain[key] = value;
            }
        } else {
            plain[key] = value;
        }
    }
    if (py::len(plain) > 0) {
        config.merge_json(py::module_::import("json").attr("dumps")(plain).cast<std::string>());
    }
    config.validate();
    return config;
}

// C++ keeps services (NodeServer) and detectors as shared pointers; the Python object must live as long
// as they do, so the pointer handed to C++ also owns a reference to it (released under the GIL).
std::shared_ptr<NodeService> service_from_python(const py::object& object) {
    auto service = object.cast<std::shared_ptr<NodeService>>();
    auto keep = std::make_shared<PythonRef>(object);
    return std::shared_ptr<NodeService>(keep, service.get());
}

// Lets Python classes implement NodeService (served by NodeServer like the built-in edge and cloud).
class PythonNodeService : public NodeService {
public:
    InferResponse infer(InferRequest request) override {
        PYBIND11_OVERRIDE_PURE(InferResponse, NodeService, infer, std::move(request));
    }
    std::string config_json() const override { PYBIND11_OVERRIDE_PURE(std::string, NodeService, config_json, ); }
    void update_config(std::string_view json) override {
        PYBIND11_OVERRIDE_PURE(void, NodeService, update_config, std::string(json));
    }
    std::string name() const override { PYBIND11_OVERRIDE_PURE(std::string, NodeService, name, ); }
};

// A multipart part that owns its bytes (MultipartPart in C++ only views them).
struct OwnedPart {
    std::string name;
    std::string data;
    std::string content_type = "application/octet-stream";
    std::string filename;
};

std::vector<MultipartPart> views_of(const std::vector<OwnedPart>& parts) {
    std::vector<MultipartPart> views;
    for (const auto& part : parts) views.push_back({part.name, part.data, part.content_type, part.filename});
    return views;
}

void bind_protocol(py::module_& m) {
    py::class_<StageCost>(m, "StageCost", "Wall-clock and thread-CPU milliseconds of one stage of serving a request.")
        .def(py::init([](double wall_ms, double cpu_ms) { return StageCost{wall_ms, cpu_ms}; }), "wall_ms"_a = 0.0,
             "cpu_ms"_a = 0.0)
        .def_readwrite("wall_ms", &StageCost::wall_ms)
        .def_readwrite("cpu_ms", &StageCost::cpu_ms)
        .def("__repr__", [](const StageCost& c) {
            return "StageCost(wall_ms=" + py::repr(py::float_(c.wall_ms)).cast<std::string>() +
                   ", cpu_ms=" + py::repr(py::float_(c.cpu_ms)).cast<std::string>() + ")";
        });

    py::class_<ServeTimings>(m, "ServeTimings", "How serving one request went, stage by stage.")
        .def_readonly("parse", &ServeTimings::parse, "reading the request (JSON, base64)")
        .def_readonly("preprocess", &ServeTimings::preprocess, "decode, grayscale/resize, encode, decode for the detector")
        .def_readonly("inference", &ServeTimings::inference, "the detector")
        .def_readonly("evaluation", &ServeTimings::evaluation, "scoring against the ground truth")
        .def_readonly("forward", &ServeTimings::forward, "sending to the cloud and waiting for its answer")
        .def_readonly("total", &ServeTimings::total, "from the request's arrival to the response")
        .def_readonly("preprocess_detail", &ServeTimings::preprocess_detail)
        .def_readonly("inference_detail", &ServeTimings::inference_detail);

    py::class_<ForwardOutcome> forward(m, "ForwardOutcome", "The outcome of forwarding to the cloud.");
    py::enum_<ForwardOutcome::Status>(forward, "Status", "How forwarding went.")
        .value("DISABLED", ForwardOutcome::Status::Disabled)
        .value("OK", ForwardOutcome::Status::Ok)
        .value("HTTP_ERROR", ForwardOutcome::Status::HttpError)
        .value("TIMEOUT", ForwardOutcome::Status::Timeout)
        .value("UNREACHABLE", ForwardOutcome::Status::Unreachable)
        .value("FAILED", ForwardOutcome::Status::Failed);
    forward.def_readonly("status", &ForwardOutcome::status)
        .def_readonly("http_status", &ForwardOutcome::http_status)
        .def_readonly("error", &ForwardOutcome::error)
        .def_readonly("bytes_sent", &ForwardOutcome::bytes_sent)
        .def("__repr__", [](const ForwardOutcome& f) { return "ForwardOutcome(" + to_string(f.status) + ")"; });

    py::class_<InferRequest>(m, "InferRequest", R"doc(An image to serve, with its ground truth in original-image pixels.

InferRequest(image, image_id=0, annotations=None, request_id='', run_id='', preprocess=None)
  image        the encoded bytes (JPEG, PNG, WebP)
  annotations  a list of Annotation; giving a list (even an empty one) means the ground truth is known
  preprocess   this request's preprocessing (PreprocessConfig or settings string); None: the node's own)doc")
        .def(py::init([](const py::object& image, Id image_id, std::optional<std::vector<Annotation>> annotations,
                         std::string request_id, std::string run_id, const py::object& preprocess) {
                 InferRequest request;
                 request.image = bytes_of(image);
                 request.image_id = image_id;
                 request.has_ground_truth = annotations.has_value();
                 if (annotations) request.annotations = std::move(*annotations);
                 request.request_id = std::move(request_id);
                 request.run_id = std::move(run_id);
                 request.preprocess = preprocess_of(preprocess);
                 return request;
             }),
             "image"_a, "image_id"_a = 0, "annotations"_a = py::none(), "request_id"_a = "", "run_id"_a = "",
             "preprocess"_a = py::none())
        .def_property("image", [](const InferRequest& r) { return to_bytes(r.image); },
                      [](InferRequest& r, const py::object& value) { r.image = bytes_of(value); },
                      "The encoded image bytes.")
        .def_readwrite("image_id", &InferRequest::image_id)
        .def_readwrite("annotations", &InferRequest::annotations)
        .def_readwrite("has_ground_truth", &InferRequest::has_ground_truth)
        .def_readwrite("preprocess", &InferRequest::preprocess)
        .def_readwrite("request_id", &InferRequest::request_id)
        .def_readwrite("run_id", &InferRequest::run_id)
        .def_readwrite("parse_time", &InferRequest::parse_time)
        .def_readwrite("original_width", &InferRequest::original_width)
        .def_readwrite("original_height", &InferRequest::original_height)
        .def_readwrite("scale_x", &InferRequest::scale_x)
        .def_readwrite("scale_y", &InferRequest::scale_y)
        .def_readwrite("edge", &InferRequest::edge)
        .def_readwrite("edge_detections", &InferRequest::edge_detections)
        .def("to_json", [](const InferRequest& r, bool include_image) { return infer_request_to_json(r, include_image); },
             "include_image"_a = true, "The JSON form (image in image_b64 when include_image).")
        .def("__repr__", [](const InferRequest& r) {
            return "InferRequest(image_id=" + std::to_string(r.image_id) + ", " + std::to_string(r.image.size()) +
                   " bytes, " + std::to_string(r.annotations.size()) + " annotations)";
        });

    py::class_<InferResponse>(m, "InferResponse", R"doc(What a node answers: detections, scores, timings, forwarding.

InferResponse() makes an empty one, for NodeService subclasses written in Python to fill in.)doc")
        .def(py::init<>())
        .def_readwrite("image_id", &InferResponse::image_id)
        .def_readwrite("node", &InferResponse::node)
        .def_readwrite("request_id", &InferResponse::request_id)
        .def_readwrite("run_id", &InferResponse::run_id)
        .def_readwrite("detector", &InferResponse::detector, "spec of the detector that ran ('none' when none)")
        .def_readwrite("preprocess", &InferResponse::preprocess, "canonical preprocessing settings that applied")
        .def_readwrite("detections", &InferResponse::detections, "original-image pixels")
        .def_readwrite("metrics", &InferResponse::metrics, "ImageMetrics when ground truth came and a detector ran")
        .def_readonly("timings", &InferResponse::timings)
        .def_readonly("forward", &InferResponse::forward)
        .def_readonly("cloud_json", &InferResponse::cloud_json, "the cloud's response JSON when forwarding succeeded")
        .def_property_readonly("cloud", [](const InferResponse& r) -> std::optional<InferResponse> {
            if (r.cloud_json.empty()) return std::nullopt;
            return parse_infer_response(r.cloud_json);
        }, "The cloud's response parsed, or None.")
        .def("to_json", &infer_response_to_json, "The JSON the node sends.")
        .def("to_dict", [](const InferResponse& r) { return json_loads(infer_response_to_json(r)); },
             "The JSON the node sends, as Python objects.")
        .def("__repr__", [](const InferResponse& r) {
            return "InferResponse(node='" + r.node + "', image_id=" + std::to_string(r.image_id) + ", " +
                   std::to_string(r.detections.size()) + " detections, " +
                   py::repr(py::float_(r.timings.total.wall_ms)).cast<std::string>() + " ms)";
        });

    m.def("parse_infer_json", [](const py::object& body) { return parse_infer_json(text_of(body)); }, "body"_a,
          "Parse a JSON request (image in image_b64); errors name the bad field.");
    m.def("parse_infer_metadata",
          [](const py::object& metadata, const py::object& image) {
              return parse_infer_metadata(text_of(metadata), bytes_of(image));
          },
          "metadata_json"_a, "image"_a, "Parse the metadata part of a multipart request, with the raw image part.");
    m.def("infer_request_to_json", &infer_request_to_json, "request"_a, "include_image"_a = true,
          "The JSON form of a request; without the image it is the multipart metadata part.");
    m.def("infer_response_to_json", &infer_response_to_json, "response"_a, "The JSON form of a response.");
    m.def("parse_infer_response", [](const py::object& body) { return parse_infer_response(text_of(body)); },
          "body"_a, "Parse a node's response; errors for malformed JSON.");

    m.def("base64_encode", [](const py::object& data) { return base64_encode(ByteView(data).span()); }, "data"_a,
          "Standard base64 (RFC 4648, padded) of bytes-like data.");
    m.def("base64_decode", [](const std::string& text, const std::string& field) { return to_bytes(base64_decode(text, field)); },
          "text"_a, "field"_a = "image_b64",
          "Decode standard base64 (padding optional, no whitespace); errors name `field` and the bad position.");
}

void bind_nodes(py::module_& m) {
    py::class_<NodeService, PythonNodeService, std::shared_ptr<NodeService>>(m, "NodeService", R"doc(What a node does, transport-free.

Subclass it in Python (infer, config_json, update_config, name) to serve your own node with NodeServer.)doc")
        .def(py::init<>())
        .def("infer", &NodeService::infer, "request"_a, py::call_guard<py::gil_scoped_release>(),
             "Serve one request (thread-safe); bad input raises edgebench.Error.")
        .def("config_json", &NodeService::config_json, "The configuration as JSON.")
        .def("update_config", [](NodeService& s, const py::object& json) {
                 const std::string text = py::isinstance<py::dict>(json)
                                              ? py::module_::import("json").attr("dumps")(json).cast<std::string>()
                                              : json.cast<std::string>();
                 py::gil_scoped_release release;  // may load a model
                 s.update_config(text);
             },
             "json"_a, "Apply a partial configuration (JSON text or a dict); only the keys given change.")
        .def("config", [](const NodeService& s) { return json_loads(s.config_json()); },
             "The configuration as a dict.")
        .def("name", &NodeService::name, "The node's name, as records show it.");

    py::class_<EdgeConfig>(m, "EdgeConfig", R"doc(An edge node's configuration.

EdgeConfig(**settings) with the keys of the node's JSON configuration: name, detector, detector_options
(DetectorOptions or dict), preprocess (PreprocessConfig or settings string), cloud_url, cloud_token,
forward_timeout_s, link (LinkProfile or {bandwidth_mbps, latency_ms}), iou_threshold, score_threshold,
run_id, max_image_pixels. Unknown keys and bad values raise edgebench.Error naming the key.)doc")
        .def(py::init(&config_from_kwargs<EdgeConfig>))
        .def_readwrite("name", &EdgeConfig::name)
        .def_readwrite("detector", &EdgeConfig::detector)
        .def_readwrite("detector_options", &EdgeConfig::detector_options)
        .def_readwrite("preprocess", &EdgeConfig::preprocess)
        .def_readwrite("cloud_url", &EdgeConfig::cloud_url)
        .def_readwrite("cloud_token", &EdgeConfig::cloud_token)
        .def_readwrite("forward_timeout_s", &EdgeConfig::forward_timeout_s)
        .def_readwrite("link", &EdgeConfig::link)
        .def_readwrite("iou_threshold", &EdgeConfig::iou_threshold)
        .def_readwrite("score_threshold", &EdgeConfig::score_threshold)
        .def_readwrite("run_id", &EdgeConfig::run_id)
        .def_readwrite("max_image_pixels", &EdgeConfig::max_image_pixels)
        .def("merge_json", &EdgeConfig::merge_json, "json"_a, "Apply the keys of a JSON object.")
        .def("to_json", &EdgeConfig::to_json, "The JSON form (cloud_token left out).")
        .def("to_dict", [](const EdgeConfig& c) { return json_loads(c.to_json()); })
        .def("validate", &EdgeConfig::validate)
        .def("__repr__", [](const EdgeConfig& c) { return "EdgeConfig(" + c.to_json() + ")"; });

    py::class_<CloudConfig>(m, "CloudConfig", R"doc(The cloud node's configuration.

CloudConfig(**settings) with the keys name, detector, detector_options, iou_threshold, score_threshold,
run_id, max_image_pixels.)doc")
        .def(py::init(&config_from_kwargs<CloudConfig>))
        .def_readwrite("name", &CloudConfig::name)
        .def_readwrite("detector", &CloudConfig::detector)
        .def_readwrite("detector_options", &CloudConfig::detector_options)
        .def_readwrite("iou_threshold", &CloudConfig::iou_threshold)
        .def_readwrite("score_threshold", &CloudConfig::score_threshold)
        .def_readwrite("run_id", &CloudConfig::run_id)
        .def_readwrite("max_image_pixels", &CloudConfig::max_image_pixels)
        .def("merge_json", &CloudConfig::merge_json, "json"_a, "Apply the keys of a JSON object.")
        .def("to_json", &CloudConfig::to_json)
        .def("to_dict", [](const CloudConfig& c) { return json_loads(c.to_json()); })
        .def("validate", &CloudConfig::validate)
        .def("__repr__", [](const CloudConfig& c) { return "CloudConfig(" + c.to_json() + ")"; });

    py::class_<RequestLog, std::shared_ptr<RequestLog>>(m, "RequestLog", R"doc(A node's own record of what it served.

RequestLog(directory) appends to directory/requests.csv and directory/detections.jsonl (flushed as it goes).)doc")
        .def(py::init<const std::filesystem::path&>(), "directory"_a)
        .def("record", &RequestLog::record, "response"_a, py::call_guard<py::gil_scoped_release>(),
             "Record a served request (thread-safe).")
        .def("record_failure", &RequestLog::record_failure, "node"_a, "run_id"_a, "error"_a,
             "Record a request that failed before it could be served.")
        .def_static("columns", &RequestLog::columns, "The columns of requests.csv, in order.")
        .def_static("row", &RequestLog::row, "response"_a, "time_unix"_a, "A served request's requests.csv cells.")
        .def_static("detections_line", &RequestLog::detections_line, "response"_a,
                    "A served request's detections.jsonl line.");

    auto edge_use_detector = [](EdgeService& service, const py::object& detector, const std::string& label) {
        auto shared = detector_from_python(detector);
        py::gil_scoped_release release;
        service.use_detector(std::move(shared), label);
    };
    auto cloud_use_detector = [](CloudService& service, const py::object& detector, const std::string& label) {
        auto shared = detector_from_python(detector);
        py::gil_scoped_release release;
        service.use_detector(std::move(shared), label);
    };

    py::class_<EdgeService, NodeService, std::shared_ptr<EdgeService>>(m, "EdgeService", R"doc(The edge node, in-process: decode, preprocess, detect, score, forward to the cloud.

EdgeService(config=EdgeConfig(), registry=None, log=None): registry builds the detectors (default: the
built-in backends); log is a RequestLog. infer() releases the GIL, so several Python threads may serve
at once. use_detector(detector, label) serves with a detector object (a Python subclass included).)doc")
        .def(py::init([](const EdgeConfig& config, std::optional<DetectorRegistry> registry, std::shared_ptr<RequestLog> log) {
                 py::gil_scoped_release release;  // loads the model
                 return std::make_shared<EdgeService>(config, registry ? std::move(*registry)
                                                                       : DetectorRegistry::with_builtin_backends(),
                                                      std::move(log));
             }),
             "config"_a = EdgeConfig(), "registry"_a = py::none(), "log"_a = nullptr)
        .def("use_detector", edge_use_detector, "detector"_a, "label"_a,
             "Serve with `detector` (reported as `label`) instead of one built from the spec.")
        .def_property_readonly("edge_config", &EdgeService::config, "The current EdgeConfig.");

    py::class_<CloudService, NodeService, std::shared_ptr<CloudService>>(m, "CloudService", R"doc(The cloud node, in-process: records forwarded images and can run its own detector.

CloudService(config=CloudConfig(), registry=None, log=None).)doc")
        .def(py::init([](const CloudConfig& config, std::optional<DetectorRegistry> registry, std::shared_ptr<RequestLog> log) {
                 py::gil_scoped_release release;
                 return std::make_shared<CloudService>(config, registry ? std::move(*registry)
                                                                        : DetectorRegistry::with_builtin_backends(),
                                                       std::move(log));
             }),
             "config"_a = CloudConfig(), "registry"_a = py::none(), "log"_a = nullptr)
        .def("use_detector", cloud_use_detector, "detector"_a, "label"_a,
             "Serve with `detector` (reported as `label`) instead of one built from the spec.")
        .def_property_readonly("cloud_config", &CloudService::config, "The current CloudConfig.");

    py::class_<ServerOptions>(m, "ServerOptions", "Where and how a NodeServer listens.")
        .def(py::init([](std::string host, int port, std::string bearer_token, std::size_t max_body_bytes, int workers,
                         int read_timeout_s, int keep_alive_timeout_s) {
                 return ServerOptions{std::move(host), port, std::move(bearer_token), max_body_bytes, workers,
                                      read_timeout_s, keep_alive_timeout_s};
             }),
             "host"_a = "127.0.0.1", "port"_a = 0, "bearer_token"_a = "", "max_body_bytes"_a = std::size_t{32u << 20},
             "workers"_a = 4, "read_timeout_s"_a = 30, "keep_alive_timeout_s"_a = 2)
        .def_readwrite("host", &ServerOptions::host, "loopback unless told otherwise")
        .def_readwrite("port", &ServerOptions::port, "0: any free port")
        .def_readwrite("bearer_token", &ServerOptions::bearer_token)
        .def_readwrite("max_body_bytes", &ServerOptions::max_body_bytes)
        .def_readwrite("workers", &ServerOptions::workers)
        .def_readwrite("read_timeout_s", &ServerOptions::read_timeout_s)
        .def_readwrite("keep_alive_timeout_s", &ServerOptions::keep_alive_timeout_s);

    py::class_<NodeServer>(m, "NodeServer", R"doc(Serves a NodeService over HTTP (POST /v1/infer, GET /healthz, GET/PUT /v1/config).

NodeServer(service, options=ServerOptions(), log=None) binds at once (port 0: a free one, see .port).

    with edgebench.NodeServer(edgebench.EdgeService(edgebench.EdgeConfig(name="edge"))) as server:
        ... requests to server.url ...

serve() blocks until stop() (or Ctrl-C); start() serves on a background thread.)doc")
        .def(py::init([](const py::object& service, const ServerOptions& options, std::shared_ptr<RequestLog> log) {
                 return std::make_unique<NodeServer>(service_from_python(service), options, std::move(log));
             }),
             "service"_a, "options"_a = ServerOptions(), "log"_a = nullptr)
        .def("serve",
             [](NodeServer& server) {
                 auto done = std::async(std::launch::async, [&server] { server.serve(); });
                 py::gil_scoped_release release;
                 while (done.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
                     py::gil_scoped_acquire gil;
                     if (PyErr_CheckSignals() == 0) continue;
                     py::error_already_set raised;  // KeyboardInterrupt or another handler's exception
                     {
                         py::gil_scoped_release wait;
                         server.stop();
                         done.get();
                     }
                     throw raised;
                 }
                 done.get();
             },
             "Serve until stop() is called from another thread, or Ctrl-C (which stops and raises).")
        .def("start", &NodeServer::start, py::call_guard<py::gil_scoped_release>(), "Serve on a background thread.")
        .def("stop", &NodeServer::stop, py::call_guard<py::gil_scoped_release>(),
             "Stop accepting, let requests in flight finish, return when they have.")
        .def_property_readonly("port", &NodeServer::port)
        .def_property_readonly("url", &NodeServer::url, "http://HOST:PORT")
        .def("__enter__", [](NodeServer& server) -> NodeServer& {
            py::gil_scoped_release release;
            server.start();
            return server;
        }, py::return_value_policy::reference)
        .def("__exit__", [](NodeServer& server, const py::args&) {
            py::gil_scoped_release release;
            server.stop();
            return false;
        });
}

void bind_http(py::module_& m) {
    py::class_<HttpClientOptions>(m, "HttpClientOptions", "Timeouts and bearer token of an HttpClient.")
        .def(py::init([](long timeout_ms, long connect_timeout_ms, std::string bearer_token) {
                 return HttpClientOptions{timeout_ms, connect_timeout_ms, std::move(bearer_token)};
             }),
             "timeout_ms"_a = 30'000, "connect_timeout_ms"_a = 5'000, "bearer_token"_a = "")
        .def_readwrite("timeout_ms", &HttpClientOptions::timeout_ms, "whole-request limit; 0: none")
        .def_readwrite("connect_timeout_ms", &HttpClientOptions::connect_timeout_ms)
        .def_readwrite("bearer_token", &HttpClientOptions::bearer_token);

    py::class_<HttpResponse> response(m, "HttpResponse", "What an HTTP request got.");
    py::enum_<HttpResponse::Outcome>(response, "Outcome", "Whether a response arrived.")
        .value("OK", HttpResponse::Outcome::Ok)
        .value("TIMEOUT", HttpResponse::Outcome::Timeout)
        .value("UNREACHABLE", HttpResponse::Outcome::Unreachable)
        .value("FAILED", HttpResponse::Outcome::Failed);
    response.def_readonly("outcome", &HttpResponse::outcome)
        .def_readonly("status", &HttpResponse::status, "HTTP status when a response arrived")
        .def_property_readonly("body", [](const HttpResponse& r) { return py::bytes(r.body); }, "The body bytes.")
        .def_property_readonly("text", [](const HttpResponse& r) {
            return py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(r.body.data(), static_cast<Py_ssize_t>(r.body.size()),
                                                                       "replace"));
        }, "The body as text (UTF-8, bad bytes replaced).")
        .def("json", [](const HttpResponse& r) { return json_loads(r.body); }, "The body parsed as JSON.")
        .def_readonly("error", &HttpResponse::error, "what went wrong when no response arrived")
        .def_readonly("total_ms", &HttpResponse::total_ms)
        .def_readonly("bytes_sent", &HttpResponse::bytes_sent)
        .def_readonly("bytes_received", &HttpResponse::bytes_received)
        .def_property_readonly("ok", &HttpResponse::ok, "a 2xx response arrived")
        .def("__repr__", [](const HttpResponse& r) {
            return "HttpResponse(status=" + std::to_string(r.status) + ", " + std::to_string(r.body.size()) + " bytes" +
                   (r.error.empty() ? "" : ", error='" + r.error + "'") + ")";
        });

    py::class_<OwnedPart>(m, "MultipartPart", "One part of a multipart/form-data body.")
        .def(py::init([](std::string name, const py::object& data, std::string content_type, std::string filename) {
                 return OwnedPart{std::move(name), text_of(data), std::move(content_type), std::move(filename)};
             }),
             "name"_a, "data"_a, "content_type"_a = "application/octet-stream", "filename"_a = "")
        .def_readwrite("name", &OwnedPart::name)
        .def_property("data", [](const OwnedPart& p) { return py::bytes(p.data); },
                      [](OwnedPart& p, const py::object& data) { p.data = text_of(data); })
        .def_readwrite("content_type", &OwnedPart::content_type)
        .def_readwrite("filename", &OwnedPart::filename, "empty: a plain field");

    m.def("encode_multipart",
          [](const std::vector<OwnedPart>& parts) {
              std::string content_type;
              std::string body = encode_multipart(views_of(parts), content_type);
              return py::make_tuple(py::bytes(body), content_type);
          },
          "parts"_a, "A multipart/form-data body: returns (body bytes, content type with the boundary).");

    py::class_<HttpClient>(m, "HttpClient", R"doc(A small blocking HTTP client (libcurl) that keeps its connection alive.

Not thread-safe: give each thread its own. Requests release the GIL. Bodies are bytes or str.)doc")
        .def(py::init<HttpClientOptions>(), "options"_a = HttpClientOptions())
        .def("get", &HttpClient::get, "url"_a, py::call_guard<py::gil_scoped_release>())
        .def("post", [](HttpClient& c, const std::string& url, const py::object& body, const std::string& content_type) {
                 const std::string data = text_of(body);
                 py::gil_scoped_release release;
                 return c.post(url, data, content_type);
             },
             "url"_a, "body"_a, "content_type"_a = "application/json")
        .def("put", [](HttpClient& c, const std::string& url, const py::object& body, const std::string& content_type) {
                 const std::string data = text_of(body);
                 py::gil_scoped_release release;
                 return c.put(url, data, content_type);
             },
             "url"_a, "body"_a, "content_type"_a = "application/json")
        .def("post_multipart", [](HttpClient& c, const std::string& url, const std::vector<OwnedPart>& parts) {
                 const auto views = views_of(parts);
                 py::gil_scoped_release release;
                 return c.post_multipart(url, views);
             },
             "url"_a, "parts"_a)
        .def_property_readonly("options", &HttpClient::options, py::return_value_policy::copy);
}

}  // namespace

void bind_services(py::module_& m) {
    bind_protocol(m);
    bind_nodes(m);
    bind_http(m);
}

}  // namespace edgebench::python
