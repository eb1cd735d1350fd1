#include "edgebench/http_client.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <random>

#include "edgebench/error.hpp"
#include "internal/curl_handle.hpp"

namespace edgebench {
namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* target) {
    static_cast<std::string*>(target)->append(data, size * count);
    return size * count;
}

std::string make_boundary() {
    // 64 random bits: a boundary that appears inside image bytes by accident is out of the question.
    std::random_device device;
    char text[40];
    std::snprintf(text, sizeof text, "edgebench-%08x%08x", device(), device());
    return text;
}

}  // namespace

std::string encode_multipart(const std::vector<MultipartPart>& parts, std::string& content_type) {
    const std::string boundary = make_boundary();
    std::size_t size = 0;
    for (const auto& part : parts) size += part.data.size() + part.name.size() + part.filename.size() + 160;
    std::string body;
    body.reserve(size + boundary.size() + 8);
    for (const auto& part : parts) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part.name + "\"";
        if (!part.filename.empty()) body += "; filename=\"" + part.filename + "\"";
        body += "\r\nContent-Type: " + part.content_type + "\r\n\r\n";
        body.append(part.data.data(), part.data.size());
        body += "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    content_type = "multipart/form-data; boundary=" + boundary;
    return body;
}

struct HttpClient::State {
    HttpClientOptions options;
    detail::CurlEasyHandle handle;
};

HttpClient::HttpClient(HttpClientOptions options) : state_(std::make_unique<State>()) {
    state_->options = std::move(options);
    state_->handle.reset(curl_easy_init());
    if (!state_->handle) throw Error("libcurl could not create a handle");
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

const HttpClientOptions& HttpClient::options() const noexcept { return state_->options; }

HttpResponse HttpClient::get(const std::string& url) { return perform("GET", url, {}, {}); }

HttpResponse HttpClient::post(const std::string& url, std::string_view body, const std::string& content_type) {
    return perform("POST", url, body, content_type);
}

HttpResponse HttpClient::put(const std::string& url, std::string_view body, const std::string& content_type) {
    return perform("PUT", url, body, content_type);
}

HttpResponse HttpClient::post_multipart(const std::string& url, const std::vector<MultipartPart>& parts) {
    std::string content_type;
    const std::string body = encode_multipart(parts, content_type);
    return perform("POST", url, body, content_type);
}

HttpResponse HttpClient::perform(const std::string& method, const std::string& url, std::string_view body,
                                 const std::string& content_type) {
    CURL* curl = state_->handle.get();
    // Reset per-request options but keep the connection cache of the handle.
    curl_easy_reset(curl);
    HttpResponse response;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, state_->options.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, state_->options.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);

    curl_slist* raw_headers = nullptr;
    // Without this, libcurl waits for "100 Continue" before sending bodies over 1 KiB: a round trip lost.
    raw_headers = curl_slist_append(raw_headers, "Expect:");
    if (!content_type.empty()) raw_headers = curl_slist_append(raw_headers, ("Content-Type: " + content_type).c_str());
    if (!state_->options.bearer_token.empty()) {
        raw_headers = curl_slist_append(raw_headers, ("Authorization: Bearer " + state_->options.bearer_token).c_str());
    }
    const detail::CurlHeaderList headers(raw_headers);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());

    if (method == "POST" || method == "PUT") {
        if (method == "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }

    const CURLcode code = curl_easy_perform(curl);
    double total_seconds = 0;
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &total_seconds);
    response.total_ms = total_seconds * 1000.0;
    curl_off_t uploaded = 0;
    curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    response.bytes_sent = static_cast<std::size_t>(uploaded);
    response.bytes_received = response.body.size();
    if (code == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        response.status = static_cast<int>(status);
        response.outcome = HttpResponse::Outcome::Ok;
        return response;
    }
    response.error = curl_easy_strerror(code);
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT: response.outcome = HttpResponse::Outcome::Timeout; break;
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY: response.outcome = HttpResponse::Outcome::Unreachable; break;
        default: response.outcome = HttpResponse::Outcome::Failed;
    }
    return response;
}

}  // namespace edgebench
