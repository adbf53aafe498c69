#include "scim/http/static_files.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "scim/http/url.h"

namespace scim::http {

namespace {

constexpr std::string_view kIndex = "index.html";

// Plain-text answers for the console's own errors: a browser shows them as they are, and the
// SCIM error shape would mean nothing to a person who mistyped a console address.
HttpResponse TextResponse(int status, std::string_view text) {
    HttpResponse response;
    response.status = status;
    response.headers = ConsoleSecurityHeaders();
    response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    response.headers.emplace_back("Cache-Control", "no-store");
    response.body = std::string(text);
    return response;
}

// FNV-1a, 64 bits: stable across processes and machines, so instances behind one load balancer
// hand out the same ETag for the same file. Not a security measure.
std::string EtagFor(std::string_view content) {
    std::uint64_t hash = 14695981039346656037ull;
    for (unsigned char c : content) {
        hash = (hash ^ c) * 1099511628211ull;
    }
    char text[24];
    std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
    return text;
}

// A decoded file name is acceptable when every segment is non-empty and not hidden (which also
// rules out "." and ".."), and no byte could be read as a separator or terminator elsewhere.
bool IsPlainName(std::string_view name) {
    if (name.empty() || name.find('\\') != std::string_view::npos ||
        name.find('\0') != std::string_view::npos) {
        return false;
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('/', start);
        if (end == std::string_view::npos) {
            end = name.size();
        }
        std::string_view segment = name.substr(start, end - start);
        if (segment.empty() || segment.front() == '.') {
            return false;
        }
        start = end + 1;
    }
    return true;
}

// RFC 9110 §13.1.2: If-None-Match holds "*" or a list of entity tags; a GET matches when any
// of them equals the current one (weak comparison, so a W/ prefix is ignored).
bool NoneMatchHits(std::string_view header, std::string_view etag) {
    std::size_t start = 0;
    while (start < header.size()) {
        std::size_t end = header.find(',', start);
        if (end == std::string_view::npos) {
            end = header.size();
        }
        std::string_view tag = header.substr(start, end - start);
        while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) {
            tag.remove_prefix(1);
        }
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) {
            tag.remove_suffix(1);
        }
        if (tag.starts_with("W/")) {
            tag.remove_prefix(2);
        }
        if (tag == "*" || tag == etag) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

std::optional<std::string> ReadWholeFile(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return std::nullopt;
    }
    std::ostringstream content;
    content << file.rdbuf();
    return std::move(content).str();
}

bool IsHidden(const std::filesystem::path& relative) {
    for (const auto& part : relative) {
        std::string text = part.string();
        if (!text.empty() && text.front() == '.') {
            return true;
        }
    }
    return false;
}

}  // namespace

const HeaderList& ConsoleSecurityHeaders() {
    static const HeaderList kHeaders = {
        {"Content-Security-Policy",
         "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
         "base-uri 'none'; frame-ancestors 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
    };
    return kHeaders;
}

std::string_view ContentTypeFor(std::string_view file_name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kTypes = {{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".map", "application/json"},
    }};
    std::size_t dot = file_name.rfind('.');
    std::size_t slash = file_name.rfind('/');
    if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) {
        std::string extension = AsciiLower(file_name.substr(dot));
        for (const auto& [known, type] : kTypes) {
            if (extension == known) {
                return type;
            }
        }
    }
    return "application/octet-stream";
}

StaticFiles StaticFiles::Embedded() {
    return FromFiles(admin_console::Files(), "admin/");
}

Result<StaticFiles> StaticFiles::FromDirectory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(dir, ec);
    if (ec) {
        return Error::Internal("cannot read the console directory " + dir.string() + ": " +
                               ec.message());
    }
    StaticFiles files;
    for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            return Error::Internal("cannot list " + dir.string() + ": " + ec.message());
        }
        std::filesystem::path relative = it->path().lexically_relative(dir);
        if (IsHidden(relative) || !it->is_regular_file(ec)) {
            continue;
        }
        auto content = ReadWholeFile(it->path());
        if (!content) {
            return Error::Internal("cannot read " + it->path().string());
        }
        files.Add(relative.generic_string(), std::move(*content));
    }
    if (files.files_.find(kIndex) == files.files_.end()) {
        return Error::Internal("the console directory " + dir.string() + " has no index.html");
    }
    return files;
}

StaticFiles StaticFiles::FromFiles(std::span<const embedded::File> files,
                                   std::string_view strip_prefix) {
    StaticFiles result;
    for (const embedded::File& file : files) {
        std::string_view name = file.path;
        if (name.starts_with(strip_prefix)) {
            name.remove_prefix(strip_prefix.size());
        }
        result.Add(std::string(name), std::string(file.content));
    }
    return result;
}

void StaticFiles::Add(std::string name, std::string content) {
    Asset asset;
    asset.content_type = std::string(ContentTypeFor(name));
    asset.etag = EtagFor(content);
    asset.content = std::move(content);
    files_.insert_or_assign(std::move(name), std::move(asset));
}

bool StaticFiles::Owns(std::string_view raw_path) {
    if (!raw_path.starts_with(kConsolePath)) {
        return false;
    }
    std::string_view rest = raw_path.substr(kConsolePath.size());
    return rest.empty() || rest.front() == '/';
}

const StaticFiles::Asset* StaticFiles::Find(std::string_view raw_path) const {
    std::string_view raw_name = raw_path.substr(kConsolePath.size() + 1);
    if (raw_name.empty()) {
        raw_name = kIndex;
    }
    auto name = PercentDecode(raw_name, PlusMeans::kPlus);
    if (!name || !IsPlainName(*name)) {
        return nullptr;
    }
    auto it = files_.find(*name);
    return it == files_.end() ? nullptr : &it->second;
}

HttpResponse StaticFiles::Serve(const HttpRequest& request) const {
    // HEAD gets the GET answer: the server writes its Content-Length and leaves the body out
    // (RFC 9110 §9.3.2).
    if (request.method != "GET" && request.method != "HEAD") {
        HttpResponse response = TextResponse(405, "method not allowed\n");
        response.headers.emplace_back("Allow", "GET, HEAD");
        return response;
    }
    if (request.path == kConsolePath) {
        // A relative reference resolves against the request URL (RFC 9110 §10.2.2), so this
        // also works behind a proxy that mounts the server under another prefix.
        HttpResponse response = TextResponse(301, "moved to /admin/\n");
        response.headers.emplace_back("Location", "admin/");
        return response;
    }
    const Asset* asset = Find(request.path);
    if (asset == nullptr) {
        return TextResponse(404, "not found\n");
    }

    HttpResponse response;
    response.headers = ConsoleSecurityHeaders();
    response.headers.emplace_back("Content-Type", asset->content_type);
    // The file names carry no content hash, so browsers must revalidate; the ETag makes that a
    // bodiless 304.
    response.headers.emplace_back("Cache-Control", "no-cache");
    response.headers.emplace_back("ETag", asset->etag);
    auto none_match = request.Header("If-None-Match");
    if (none_match && NoneMatchHits(*none_match, asset->etag)) {
        response.status = 304;
        return response;
    }
    response.status = 200;
    response.body = asset->content;
    return response;
}

}  // namespace scim::http
