#include "scim/http/access_log.h"

#include <cstdio>
#include <mutex>

#include <nlohmann/json.hpp>

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

// One field of a line; numbers are written bare in JSON.
struct Field {
    std::string_view key;
    std::string value;
    bool number = false;
};

std::string Join(LogFormat format, const std::vector<Field>& fields) {
    if (format == LogFormat::kJson) {
        nlohmann::ordered_json line = nlohmann::ordered_json::object();
        for (const Field& field : fields) {
            if (field.value.empty()) {
                line[std::string(field.key)] = nullptr;
            } else if (field.number) {
                line[std::string(field.key)] = nlohmann::ordered_json::parse(field.value);
            } else {
                line[std::string(field.key)] = field.value;
            }
        }
        return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    }
    std::string out;
    for (const Field& field : fields) {
        if (!out.empty()) {
            AppendField(out, field.key, field.value);
        } else {
            out += field.key;
            out += '=';
            AppendValue(out, field.value);
        }
    }
    return out;
}

}  // namespace

std::optional<LogFormat> ParseLogFormat(std::string_view name) {
    if (name == "text") {
        return LogFormat::kText;
    }
    if (name == "json") {
        return LogFormat::kJson;
    }
    return std::nullopt;
}

std::string_view AccessLevel(int status) {
    if (status < 500) {
        return "info";
    }
    // A feature the server does not offer (501) and a refusal while shutting down or without
    // a database (503) are expected answers, not faults in the server.
    return status == 501 || status == 503 ? "warn" : "error";
}

std::string FormatAccessLine(const AccessRecord& record, LogFormat format) {
    char latency[32];
    std::snprintf(latency, sizeof latency, "%.3f", record.latency_ms);

    std::vector<Field> fields = {
        {"level", std::string(AccessLevel(record.status))},
        {"request_id", record.request_id},
        {"method", record.method},
        {"route", record.route},
        {"status", std::to_string(record.status), true},
        {"scim_type", record.scim_type},
        {"latency_ms", latency, true},
        {"org_id", record.org_id},
        {"token_id", record.token_id},
    };
    if (!record.error.empty()) {
        fields.push_back({"error", record.error});
    }
    return Join(format, fields);
}

std::string FormatEventLine(LogFormat format,
                            std::string_view level,
                            std::string_view msg,
                            const LogFields& extra) {
    std::vector<Field> fields = {{"level", std::string(level)}, {"msg", std::string(msg)}};
    for (const auto& [key, value] : extra) {
        fields.push_back({key, value});
    }
    return Join(format, fields);
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
