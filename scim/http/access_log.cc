#include "scim/http/access_log.h"

#include <cstdio>
#include <mutex>

namespace scim::http {

namespace {

bool NeedsQuotes(std::string_view value) {
    for (unsigned char c : value) {
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
            return true;
        }
    }
    return false;
}

void AppendValue(std::string& out, std::string_view value) {
    if (value.empty()) {
        out += '-';
        return;
    }
    if (!NeedsQuotes(value)) {
        out += value;
        return;
    }
    out += '"';
    for (unsigned char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < ' ' || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

void AppendField(std::string& out, std::string_view key, std::string_view value) {
    out += ' ';
    out += key;
    out += '=';
    AppendValue(out, value);
}

}  // namespace

std::string FormatAccessLine(const AccessRecord& record) {
    char latency[32];
    std::snprintf(latency, sizeof latency, "%.3f", record.latency_ms);

    std::string out = record.status >= 500 ? "level=error" : "level=info";
    AppendField(out, "request_id", record.request_id);
    AppendField(out, "method", record.method);
    AppendField(out, "route", record.route);
    AppendField(out, "status", std::to_string(record.status));
    AppendField(out, "scim_type", record.scim_type);
    AppendField(out, "latency_ms", latency);
    AppendField(out, "org_id", record.org_id);
    AppendField(out, "token_id", record.token_id);
    if (!record.error.empty()) {
        AppendField(out, "error", record.error);
    }
    return out;
}

void StderrSink(std::string_view line) {
    static std::mutex mutex;
    std::string buffer(line);
    buffer += '\n';
    std::lock_guard lock(mutex);
    std::fwrite(buffer.data(), 1, buffer.size(), stderr);
    std::fflush(stderr);
}

}  // namespace scim::http
