#pragma once
/// \file
/// A small blocking HTTP client on libcurl, for edges forwarding to the cloud, the workload client and
/// the runner. One instance keeps its connection alive between calls; it is not thread-safe (give each
/// thread its own).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edgebench {

struct HttpClientOptions {
    /// Whole-request limit in milliseconds (connect, send, wait, receive); 0 means none.
    long timeout_ms = 30'000;
    long connect_timeout_ms = 5'000;
    /// Sent as `Authorization: Bearer <token>` when not empty.
    std::string bearer_token;
};

struct HttpResponse {
    enum class Outcome { Ok, Timeout, Unreachable, Failed };
    Outcome outcome = Outcome::Failed;
    int status = 0;      ///< HTTP status when a response arrived
    std::string body;
    std::string error;   ///< what went wrong when no response arrived
    double total_ms = 0;  ///< libcurl's total time
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;

    bool ok() const noexcept { return outcome == Outcome::Ok && status >= 200 && status < 300; }
};

/// One part of a multipart/form-data body.
struct MultipartPart {
    std::string name;
    std::string_view data;
    std::string content_type = "application/octet-stream";
    std::string filename;  ///< empty: a plain field
};

/// Builds a multipart/form-data body; returns it and sets `content_type` (which carries the boundary).
std::string encode_multipart(const std::vector<MultipartPart>& parts, std::string& content_type);

class HttpClient {
public:
    explicit HttpClient(HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;

    HttpResponse get(const std::string& url);
    HttpResponse post(const std::string& url, std::string_view body, const std::string& content_type);
    HttpResponse put(const std::string& url, std::string_view body, const std::string& content_type);
    HttpResponse post_multipart(const std::string& url, const std::vector<MultipartPart>& parts);

    const HttpClientOptions& options() const noexcept;

private:
    HttpResponse perform(const std::string& method, const std::string& url, std::string_view body,
                         const std::string& content_type);
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace edgebench
