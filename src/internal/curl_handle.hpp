#pragma once
// libcurl's handles as owning pointers.

#include <memory>

#include <curl/curl.h>

namespace edgebench::detail {

struct CurlEasyCleanup {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using CurlEasyHandle = std::unique_ptr<CURL, CurlEasyCleanup>;

struct CurlHeaderListFree {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlHeaderList = std::unique_ptr<curl_slist, CurlHeaderListFree>;

}  // namespace edgebench::detail
