#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// One structured line per request, key=value (logfmt style) or one JSON object per line, with
// the same keys in the same order. The record has no field for the Authorization header, bodies
// or query values, so they cannot end up in the log by accident.
namespace scim::http {

enum class LogFormat { kText, kJson };

// "text" or "json"; nullopt for anything else.
std::optional<LogFormat> ParseLogFormat(std::string_view name);

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

// "info" below 500, "warn" for 501 and 503 (not implemented, unavailable: expected answers),
// "error" for every other 5xx.
std::string_view AccessLevel(int status);

// "level=info request_id=... method=GET route=... status=200 ...". Empty values print as "-";
// values with spaces, quotes, '=' or control characters are quoted and escaped. Level is
// AccessLevel(status).
//
// JSON: {"level":"info","request_id":"...",...,"status":409,...,"latency_ms":2.5,...}; status and
// latency_ms are numbers, empty values are null, invalid UTF-8 is replaced (U+FFFD).
std::string FormatAccessLine(const AccessRecord& record, LogFormat format = LogFormat::kText);

// A process event (start-up, shutdown) in the same format as the access lines: level, msg, then
// `fields` in order. Callers must not pass secrets (DSN passwords, keys) in `fields`.
using LogFields = std::vector<std::pair<std::string, std::string>>;
std::string FormatEventLine(LogFormat format,
                            std::string_view level,
                            std::string_view msg,
                            const LogFields& fields = {});

// Receives finished lines (no trailing newline). Must be thread-safe.
using LogSink = std::function<void(std::string_view line)>;

// Writes each line to stderr in one call, so lines from different threads never interleave.
void StderrSink(std::string_view line);

}  // namespace scim::http
