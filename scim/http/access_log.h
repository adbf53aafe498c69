#pragma once

#include <functional>
#include <string>
#include <string_view>

// One structured line per request (key=value, logfmt style). The record has no field for the
// Authorization header, bodies or query values, so they cannot end up in the log by accident.
namespace scim::http {

struct AccessRecord {
    std::string request_id;
    std::string method;
    std::string route;  // the pattern, e.g. "/scim/v2/Users/{id}", never the raw URL
    int status = 0;
    std::string scim_type;  // empty when the response has none
    double latency_ms = 0;
    std::string org_id;
    std::string token_id;
    std::string error;  // the internal message of a 5xx, empty otherwise
};

// "level=info request_id=... method=GET route=... status=200 ...". Empty values print as "-";
// values with spaces, quotes, '=' or control characters are quoted and escaped. Level is error
// for 5xx, info otherwise.
std::string FormatAccessLine(const AccessRecord& record);

// Receives finished lines (no trailing newline). Must be thread-safe.
using LogSink = std::function<void(std::string_view line)>;

// Writes each line to stderr in one call, so lines from different threads never interleave.
void StderrSink(std::string_view line);

}  // namespace scim::http
