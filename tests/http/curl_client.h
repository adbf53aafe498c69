#pragma once

#include <curl/curl.h>
#include <string>
#include <utility>
#include <vector>

#include "scim/http/exchange.h"

// A small blocking HTTP client over libcurl for tests: one easy handle, reused, so keep-alive
// behaves as it would for a real IdP client.
namespace scim::http::testing {

struct ClientResponse {
    long status = 0;  // 0 when the request failed at the transport level
    HeaderList headers;
    std::string body;
    std::string error;  // curl's message when status is 0

    std::optional<std::string_view> Header(std::string_view name) const {
        return FindHeader(headers, name);
    }
};

class CurlClient {
public:
    CurlClient() : curl_(curl_easy_init()) {}
    ~CurlClient() { curl_easy_cleanup(curl_); }
    CurlClient(const CurlClient&) = delete;
    CurlClient& operator=(const CurlClient&) = delete;

    // `url` must point at a server the test started on 127.0.0.1.
    ClientResponse Send(const std::string& method,
                        const std::string& url,
                        const HeaderList& headers = {},
                        const std::string* body = nullptr) {
        ClientResponse response;
        curl_easy_reset(curl_);
        curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
        curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &CurlClient::OnBody);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response);
        curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &CurlClient::OnHeader);
        curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response);
        if (body != nullptr) {
            curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body->data());
            curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(body->size()));
        }
        curl_slist* list = nullptr;
        // Pistache never answers Expect: 100-continue; do not make every large body wait 1 s.
        list = curl_slist_append(list, "Expect:");
        for (const auto& [name, value] : headers) {
            list = curl_slist_append(list, (name + ": " + value).c_str());
        }
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
        CURLcode code = curl_easy_perform(curl_);
        curl_slist_free_all(list);
        if (code != CURLE_OK) {
            response.status = 0;
            response.error = curl_easy_strerror(code);
            return response;
        }
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
        return response;
    }

    // Connections curl opened so far on this handle's last transfer (1 on a reused one: 0).
    long NewConnections() {
        long count = 0;
        curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &count);
        return count;
    }

private:
    static size_t OnBody(char* data, size_t size, size_t count, void* user) {
        static_cast<ClientResponse*>(user)->body.append(data, size * count);
        return size * count;
    }

    static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
        std::string line(data, size * count);
        auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string value = line.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ')) {
                value.erase(0, 1);
            }
            while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) {
                value.pop_back();
            }
            static_cast<ClientResponse*>(user)->headers.emplace_back(line.substr(0, colon), value);
        } else if (line.rfind("HTTP/", 0) == 0) {
            static_cast<ClientResponse*>(user)->headers.clear();  // a new response begins
        }
        return size * count;
    }

    CURL* curl_;
};

}  // namespace scim::http::testing
