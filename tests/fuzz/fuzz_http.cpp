// The whole HTTP path of a node, in process: the input is a raw byte stream sent to a real NodeServer
// (cpp-httplib) serving an EdgeService over a loopback socket, so that request-line, header, body,
// chunked, gzip and multipart parsing (httplib), authorization, routing, the JSON and multipart request
// readers, PUT /v1/config, preprocessing, a detector, scoring and the error bodies all see it.
//
// What must hold: the node neither crashes nor hangs (a sanitizer report, an abort such as an exception
// escaping httplib's error handler, or no end of the exchange within 20 s are findings), and the service
// fails only with `Error` (anything else would be a 5xx). The harness half-closes the connection after
// the input so that the server sees the end of it at once; cpp-httplib 0.11 then takes the connection
// for dead and writes no answer, so answers are checked when they come (well-formed HTTP, no 5xx, JSON
// bodies that parse) but usually there are none: tests/cpp/test_hostile_bytes.cpp checks the answers to
// the inputs fuzzing found.
//
// cpp-httplib is Debian's compiled library, not instrumented: libFuzzer sees coverage of edgebench's
// code only, and ASan sees httplib's memory errors only where they pass through intercepted functions.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "detectors/backends.hpp"
#include "edgebench/edge_service.hpp"
#include "edgebench/node_server.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace edgebench;

constexpr const char* kToken = "fuzz-token";
// Small enough that a header claiming a huge image is refused before decoding, and fast to decode.
constexpr std::int64_t kMaxPixels = 1 << 20;

// Reports boxes derived from the image size only, so that scoring and the mapping of boxes back to the
// original image run on every request without a model.
class FixedDetector final : public Detector {
public:
    FixedDetector(DetectorOptions options, CategoryTable categories)
        : options_(std::move(options)), categories_(std::move(categories)) {}

    DetectionResult detect(const cv::Mat& image) override {
        if (image.empty()) throw Error("empty image", "image");
        const double w = image.cols;
        const double h = image.rows;
        DetectionResult result;
        result.detections = {{1, {0, 0, w / 2, h / 2}, 0.9}, {2, {w / 4, h / 4, w / 2, h / 2}, 0.6},
                             {1, {w / 2, h / 2, w / 2, h / 2}, 0.2}};
        return result;
    }
    std::unique_ptr<Detector> clone() const override { return std::make_unique<FixedDetector>(options_, categories_); }
    bool thread_safe() const noexcept override { return true; }
    const CategoryTable& categories() const override { return categories_; }
    DetectorInfo info() const override { return {"fixed", "fixed", "fixed", "", 0, 0, options_.device}; }
    const DetectorOptions& options() const override { return options_; }

private:
    DetectorOptions options_;
    CategoryTable categories_;
};

// Only detectors that open no files: `none` and `fixed`; any other spec is an unknown backend (`Error`).
DetectorRegistry sandbox_registry() {
    DetectorRegistry registry;
    registry.add(detail::none_backend());
    registry.add({"fixed", "fixed", "boxes from the image size (fuzzing)",
                  [](const DetectorSpec& spec, const DetectorOptions& options) -> std::unique_ptr<Detector> {
                      if (!spec.rest.empty()) throw Error("'fixed' takes no arguments", "model");
                      return std::make_unique<FixedDetector>(
                          options, CategoryTable({{1, "one", ""}, {2, "two", ""}}));
                  }});
    return registry;
}

// The edge as a node serves it, except that PUT /v1/config may not point it at a cloud (it would send
// requests to whatever listens on this machine) nor lift the pixel limit (decoding huge images is slow,
// not wrong). Both are refused the way the node refuses bad settings: with `Error`.
class SandboxedEdge final : public NodeService {
public:
    explicit SandboxedEdge(EdgeConfig config) : baseline_(config), edge_(std::move(config), sandbox_registry()) {}

    InferResponse infer(InferRequest request) override {
        InferResponse response;
        fuzz::expect_errors_only([&] { response = edge_.infer(std::move(request)); }, /*rethrow=*/true);
        return response;
    }
    std::string config_json() const override { return edge_.config_json(); }
    std::string name() const override { return edge_.name(); }
    void update_config(std::string_view json) override {
        fuzz::expect_errors_only([&] { checked_update(json); }, /*rethrow=*/true);
    }

    // Back to the starting configuration, so that every input starts from the same state.
    void reset() {
        if (edge_.config_json() == baseline_json_) return;
        auto json = nlohmann::json::parse(baseline_json_);
        json["cloud_token"] = "";
        edge_.update_config(json.dump());
    }

private:
    void checked_update(std::string_view json) {
        EdgeConfig next = edge_.config();
        next.merge_json(json);
        if (!next.cloud_url.empty()) throw Error("no forwarding while fuzzing", "cloud_url");
        if (next.max_image_pixels > kMaxPixels) throw Error("limited while fuzzing", "max_image_pixels");
        edge_.update_config(json);
    }

    EdgeConfig baseline_;
    EdgeService edge_;
    std::string baseline_json_ = edge_.config_json();
};

struct FileDescriptor {
    int fd = -1;
    explicit FileDescriptor(int value) : fd(value) {}
    ~FileDescriptor() {
        if (fd >= 0) ::close(fd);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
};

// Sends `request`, closes the sending side, and reads everything the server answers until it closes.
std::string exchange(int port, std::string_view request) {
    FileDescriptor socket(::socket(AF_INET, SOCK_STREAM, 0));
    fuzz::check(socket.fd >= 0, "socket() failed");
    timeval timeout{20, 0};  // far above any legitimate answer: running into it means the server hung
    ::setsockopt(socket.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fuzz::check(::connect(socket.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0,
                "cannot connect to the node");
    std::size_t sent = 0;
    while (sent < request.size()) {
        const auto n = ::send(socket.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may close early, for instance after a malformed request line
        sent += static_cast<std::size_t>(n);
    }
    ::shutdown(socket.fd, SHUT_WR);
    std::string answer;
    char buffer[16384];
    while (true) {
        const auto n = ::recv(socket.fd, buffer, sizeof buffer, 0);
        if (n == 0) break;
        if (n < 0) {
            fuzz::check(errno != EAGAIN && errno != EWOULDBLOCK, "the node did not answer within 20 s");
            break;  // reset by the server
        }
        answer.append(buffer, static_cast<std::size_t>(n));
    }
    return answer;
}

// Walks the responses in `answer` (keep-alive may give several) and checks each.
void check_answers(std::string_view answer) {
    while (!answer.empty()) {
        fuzz::check(answer.rfind("HTTP/1.1 ", 0) == 0, "the answer is not an HTTP/1.1 response");
        fuzz::check(answer.size() >= 12, "truncated status line");
        const int status = std::stoi(std::string(answer.substr(9, 3)));
        fuzz::check(status < 500, "the node answered 5xx: an exception other than edgebench::Error escaped");
        const auto end = answer.find("\r\n\r\n");
        fuzz::check(end != std::string_view::npos, "response headers do not end");
        std::string headers(answer.substr(0, end));
        for (auto& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::size_t length = 0;
        if (const auto at = headers.find("\r\ncontent-length: "); at != std::string::npos) {
            length = std::stoul(headers.substr(at + 18));
        }
        // A response to HEAD has the Content-Length of the body it leaves out; what follows it is then the
        // next response (our bodies are JSON and never start like one) or nothing.
        const auto rest = answer.substr(end + 4);
        const bool bodiless = rest.empty() || rest.rfind("HTTP/1.1 ", 0) == 0;
        if (bodiless) length = 0;
        fuzz::check(answer.size() >= end + 4 + length, "response body shorter than its Content-Length");
        const auto body = answer.substr(end + 4, length);
        if (!bodiless && headers.find("content-type: application/json") != std::string::npos) {
            fuzz::check(nlohmann::json::accept(body), "a JSON response body does not parse");
        }
        answer.remove_prefix(end + 4 + length);
    }
}

struct Node {
    std::shared_ptr<SandboxedEdge> edge;
    std::unique_ptr<NodeServer> server;

    Node() {
        ::signal(SIGPIPE, SIG_IGN);
        EdgeConfig config;
        config.name = "fuzz-edge";
        config.detector = "fixed";
        config.max_image_pixels = kMaxPixels;
        edge = std::make_shared<SandboxedEdge>(config);
        ServerOptions options;
        options.bearer_token = kToken;
        options.workers = 1;  // one request at a time: the same input takes the same path
        options.max_body_bytes = 1 << 20;
        options.read_timeout_s = 5;
        options.take_hardware_sample = [] {};  // POST /v1/hw/sample: the route, not a real sample
        server = std::make_unique<NodeServer>(edge, options);
        server->start();
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // One node for the whole run (a function-local static, built on the first input): starting a server
    // per input would cost far more than serving the input.
    static Node node;
    const std::string answer = exchange(node.server->port(), fuzz::text_of(data, size));
    check_answers(answer);
    node.edge->reset();
    return 0;
}
