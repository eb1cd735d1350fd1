// Bytes that are not UTF-8 on the serving path. Found by fuzzing (tests/fuzz/fuzz_http.cpp): error
// messages quote the request (its path, a header, where JSON parsing stopped), and nlohmann::json throws
// when asked to write such a message. In httplib's error handler (a 404 for `GET /\xff`) the exception
// ended the whole node process; in a handler it became a 500 instead of a 400.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "edgebench/edge_service.hpp"
#include "edgebench/infer_protocol.hpp"
#include "edgebench/node_server.hpp"

using namespace edgebench;

namespace {

// Sends raw bytes to 127.0.0.1:port and returns everything the server answers until it closes. The
// requests ask for `Connection: close`; a half-closed socket would not do: cpp-httplib 0.11 takes a
// connection whose peer shut down its sending side for dead and writes no answer to it.
std::string raw_exchange(int port, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
        char buffer[4096];
        for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return answer;
}

int status_of(const std::string& answer) { return answer.size() >= 12 ? std::stoi(answer.substr(9, 3)) : 0; }

nlohmann::json body_of(const std::string& answer) {
    const auto end = answer.find("\r\n\r\n");
    return nlohmann::json::parse(end == std::string::npos ? "" : answer.substr(end + 4), nullptr, false);
}

}  // namespace

TEST(HostileBytes, ErrorsQuotingNonUtf8RequestsAreAnsweredAndTheNodeKeepsServing) {
    NodeServer server(std::make_shared<EdgeService>(EdgeConfig{}), ServerOptions{});
    server.start();

    // 404 for a path that is not UTF-8: this one used to abort the process.
    std::string answer = raw_exchange(server.port(), "GET /v1/in\xff" "fer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(status_of(answer), 404) << answer;
    EXPECT_TRUE(body_of(answer).contains("error")) << answer;

    // JSON that stops at a byte that is not UTF-8, and a Content-Type that is not: 400s, not 500s.
    const std::string body = "{\"image_id\": \xff}";
    answer = raw_exchange(server.port(), "POST /v1/infer HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                                         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(status_of(answer), 400) << answer;
    EXPECT_TRUE(body_of(answer).contains("error")) << answer;
    answer = raw_exchange(server.port(), "POST /v1/infer HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/\xfe\r\n"
                                         "Content-Length: 2\r\n\r\n{}");
    EXPECT_EQ(status_of(answer), 400) << answer;

    answer = raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(status_of(answer), 200) << answer;
}

TEST(HostileBytes, AResponseQuotingACloudAnswerThatIsNotUtf8IsStillJson) {
    // The edge quotes the first bytes of a cloud answer that is not JSON; a cut can fall inside a UTF-8
    // character, and the answer may be binary.
    InferResponse response;
    response.forward.status = ForwardOutcome::Status::Failed;
    response.forward.error = "the cloud's answer is not JSON: \xe2\x82";
    const std::string json = infer_response_to_json(response);
    EXPECT_TRUE(nlohmann::json::accept(json)) << json;
    EXPECT_EQ(parse_infer_response(json).forward.status, ForwardOutcome::Status::Failed);
}
