#pragma once
// A small HTTP/1.1 file server on 127.0.0.1 (port 0) for download tests: it serves fixed files, honours
// `Range: bytes=N-`, and can misbehave on request (cut the connection midway, answer 500, ignore ranges,
// send a wrong ETag). It records every request so that tests can see what the client asked for.
// One request per connection (`Connection: close`), served one at a time: enough for tests, and it
// keeps the behaviour easy to reason about.

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace edgebench::test {

class FixtureHttpServer {
public:
    struct File {
        std::string body;
        /// Sent as the ETag header (quoted) when not empty.
        std::string etag;
        /// Answer ranges with 206; otherwise send the whole file with 200.
        bool honour_range = true;
        /// The next `cut_times` requests close the connection after `cut_after` body bytes.
        int cut_times = 0;
        std::size_t cut_after = 0;
        /// The next `fail_times` requests get HTTP 500.
        int fail_times = 0;
    };
    struct Request {
        std::string path;
        std::string range;  ///< the Range header, empty when there was none
    };

    FixtureHttpServer();
    ~FixtureHttpServer();
    FixtureHttpServer(const FixtureHttpServer&) = delete;
    FixtureHttpServer& operator=(const FixtureHttpServer&) = delete;

    /// `http://127.0.0.1:PORT`
    std::string base_url() const;
    void put(const std::string& path, File file);
    /// Unknown paths get 404.
    void remove(const std::string& path);
    std::vector<Request> requests() const;
    /// Requests for `path` so far.
    std::vector<Request> requests_for(const std::string& path) const;

private:
    void serve();
    void handle(int connection);

    int listener_ = -1;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::map<std::string, File> files_;
    std::vector<Request> requests_;
    std::thread thread_;
};

/// Lower-case hex digests of `data` (ETags, expected checksums).
std::string md5_hex(const std::string& data);
std::string sha256_hex(const std::string& data);

/// A port on 127.0.0.1 where nothing listens (bound, then released), for "connection refused".
int unused_loopback_port();

}  // namespace edgebench::test
