#include "fixture_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <stdexcept>

namespace edgebench::test {
namespace {

int bind_loopback(int& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        throw std::runtime_error("bind failed");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
    return fd;
}

void send_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
        if (sent <= 0) return;  // the client went away; nothing to do
        data += sent;
        size -= static_cast<std::size_t>(sent);
    }
}

std::string header_value(const std::string& head, const std::string& name) {
    std::string lower_head = head;
    std::transform(lower_head.begin(), lower_head.end(), lower_head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto at = lower_head.find("\r\n" + name + ":");
    if (at == std::string::npos) return {};
    const auto start = head.find_first_not_of(' ', at + 3 + name.size());
    const auto end = head.find("\r\n", start);
    return head.substr(start, end - start);
}

}  // namespace

FixtureHttpServer::FixtureHttpServer() {
    listener_ = bind_loopback(port_);
    if (::listen(listener_, 64) != 0) throw std::runtime_error("listen failed");
    thread_ = std::thread([this] { serve(); });
}

FixtureHttpServer::~FixtureHttpServer() {
    // Waking accept() this way is Linux behaviour, which is all these tests run on.
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
}

std::string FixtureHttpServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FixtureHttpServer::put(const std::string& path, File file) {
    const std::lock_guard lock(mutex_);
    files_[path] = std::move(file);
}

void FixtureHttpServer::remove(const std::string& path) {
    const std::lock_guard lock(mutex_);
    files_.erase(path);
}

std::vector<FixtureHttpServer::Request> FixtureHttpServer::requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<FixtureHttpServer::Request> FixtureHttpServer::requests_for(const std::string& path) const {
    std::vector<Request> matching;
    for (const auto& request : requests()) {
        if (request.path == path) matching.push_back(request);
    }
    return matching;
}

void FixtureHttpServer::serve() {
    for (;;) {
        const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (connection < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return;  // shut down
        }
        timeval timeout{5, 0};
        ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        handle(connection);
        ::close(connection);
    }
}

void FixtureHttpServer::handle(int connection) {
    std::string head;
    std::array<char, 4096> buffer{};
    while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::recv(connection, buffer.data(), buffer.size(), 0);
        if (got <= 0) return;
        head.append(buffer.data(), static_cast<std::size_t>(got));
    }
    const auto first_space = head.find(' ');
    const auto second_space = head.find(' ', first_space + 1);
    const std::string path = head.substr(first_space + 1, second_space - first_space - 1);
    const std::string range = header_value(head, "range");

    File file;
    bool found = false;
    bool cut = false;
    bool fail = false;
    {
        const std::lock_guard lock(mutex_);
        requests_.push_back({path, range});
        const auto it = files_.find(path);
        if (it != files_.end()) {
            found = true;
            file = it->second;
            if (it->second.fail_times > 0) {
                --it->second.fail_times;
                fail = true;
            } else if (it->second.cut_times > 0) {
                --it->second.cut_times;
                cut = true;
            }
        }
    }

    auto respond = [&](const std::string& status, const std::string& headers, const std::string& body) {
        const std::string text = "HTTP/1.1 " + status + "\r\nConnection: close\r\n" + headers +
                                 "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        send_all(connection, text.data(), text.size());
    };
    if (!found) return respond("404 Not Found", "Content-Type: text/plain\r\n", "no such file\n");
    if (fail) return respond("500 Internal Server Error", "Content-Type: text/plain\r\n", "broken\n");

    std::string headers = "Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n";
    if (!file.etag.empty()) headers += "ETag: \"" + file.etag + "\"\r\n";
    std::size_t first = 0;
    std::string status = "200 OK";
    if (!range.empty() && file.honour_range && range.rfind("bytes=", 0) == 0) {
        first = std::stoull(range.substr(6));
        if (first >= file.body.size()) {
            return respond("416 Range Not Satisfiable",
                           "Content-Range: bytes */" + std::to_string(file.body.size()) + "\r\n", "");
        }
        status = "206 Partial Content";
        headers += "Content-Range: bytes " + std::to_string(first) + "-" + std::to_string(file.body.size() - 1) + "/" +
                   std::to_string(file.body.size()) + "\r\n";
    }
    const std::string body = file.body.substr(first);
    const std::string text = "HTTP/1.1 " + status + "\r\nConnection: close\r\n" + headers +
                             "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    send_all(connection, text.data(), text.size());
    // A cut transfer promises the whole body and stops partway, as a dropped connection does.
    send_all(connection, body.data(), cut ? std::min(file.cut_after, body.size()) : body.size());
}

namespace {

std::string digest_hex(const std::string& data, const EVP_MD* type) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &length, type, nullptr);
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += "0123456789abcdef"[digest[i] >> 4];
        hex += "0123456789abcdef"[digest[i] & 15];
    }
    return hex;
}

}  // namespace

std::string md5_hex(const std::string& data) { return digest_hex(data, EVP_md5()); }
std::string sha256_hex(const std::string& data) { return digest_hex(data, EVP_sha256()); }

int unused_loopback_port() {
    int port = 0;
    const int fd = bind_loopback(port);
    ::close(fd);
    return port;
}

}  // namespace edgebench::test
