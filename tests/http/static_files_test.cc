#include "scim/http/static_files.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http/fakes.h"
#include "scim/http/api.h"

namespace scim::http {
namespace {

constexpr embedded::File kConsole[] = {
    {"admin/index.html", "<!doctype html><title>console</title>"},
    {"admin/app.js", "import './dom.js';"},
    {"admin/dom.js", "export {};"},
    {"admin/style.css", "body{}"},
    {"admin/img/logo.svg", "<svg/>"},
};

StaticFiles Console() {
    return StaticFiles::FromFiles(kConsole, "admin/");
}

HttpRequest Request(std::string method, std::string path) {
    HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    return request;
}

HttpResponse Get(const StaticFiles& files, std::string path) {
    return files.Serve(Request("GET", std::move(path)));
}

void ExpectSecurityHeaders(const HttpResponse& response) {
    for (const auto& [name, value] : ConsoleSecurityHeaders()) {
        auto sent = response.Header(name);
        ASSERT_TRUE(sent.has_value()) << name << " missing on a " << response.status;
        EXPECT_EQ(*sent, value);
    }
}

TEST(ConsoleHeadersTest, PolicyIsStrict) {
    auto headers = ConsoleSecurityHeaders();
    auto csp = FindHeader(headers, "Content-Security-Policy");
    ASSERT_TRUE(csp.has_value());
    for (const char* directive :
         {"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
          "base-uri 'none'", "frame-ancestors 'none'"}) {
        EXPECT_NE(csp->find(directive), std::string_view::npos) << directive;
    }
    EXPECT_EQ(csp->find("unsafe"), std::string_view::npos);
    EXPECT_EQ(FindHeader(headers, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(FindHeader(headers, "Referrer-Policy"), "no-referrer");
}

TEST(ContentTypeTest, FollowsTheExtension) {
    struct Case {
        const char* name;
        const char* type;
    };
    const Case cases[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"APP.JS", "text/javascript; charset=utf-8"},
        {"style.css", "text/css; charset=utf-8"},
        {"favicon.svg", "image/svg+xml"},
        {"logo.png", "image/png"},
        {"data.json", "application/json"},
        {"README", "application/octet-stream"},
        {"archive.tar.gz", "application/octet-stream"},
        {"dir.js/file", "application/octet-stream"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(ContentTypeFor(c.name), c.type) << c.name;
    }
}

TEST(StaticFilesTest, OwnsOnlyTheConsolePrefix) {
    EXPECT_TRUE(StaticFiles::Owns("/admin"));
    EXPECT_TRUE(StaticFiles::Owns("/admin/"));
    EXPECT_TRUE(StaticFiles::Owns("/admin/app.js"));
    EXPECT_FALSE(StaticFiles::Owns("/administrator"));
    EXPECT_FALSE(StaticFiles::Owns("/api/v1/tokens"));
    EXPECT_FALSE(StaticFiles::Owns("/scim/v2/Users"));
    EXPECT_FALSE(StaticFiles::Owns("/"));
}

TEST(StaticFilesTest, RootServesIndexWithItsType) {
    HttpResponse response = Get(Console(), "/admin/");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "<!doctype html><title>console</title>");
    EXPECT_EQ(response.Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(response.Header("Cache-Control"), "no-cache");
    ExpectSecurityHeaders(response);
}

TEST(StaticFilesTest, ServesNamedFilesAndSubfolders) {
    StaticFiles files = Console();
    HttpResponse js = Get(files, "/admin/app.js");
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(js.body, "import './dom.js';");
    EXPECT_EQ(js.Header("Content-Type"), "text/javascript; charset=utf-8");
    HttpResponse svg = Get(files, "/admin/img/logo.svg");
    EXPECT_EQ(svg.status, 200);
    EXPECT_EQ(svg.Header("Content-Type"), "image/svg+xml");
    EXPECT_EQ(Get(files, "/admin/st%79le.css").status, 200);
}

TEST(StaticFilesTest, BarePrefixRedirectsToTheFolder) {
    HttpResponse response = Get(Console(), "/admin");
    EXPECT_EQ(response.status, 301);
    EXPECT_EQ(response.Header("Location"), "admin/");  // relative to /admin: /admin/
    ExpectSecurityHeaders(response);
}

TEST(StaticFilesTest, UnknownFileIsNotFound) {
    HttpResponse response = Get(Console(), "/admin/missing.js");
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.Header("Content-Type"), "text/plain; charset=utf-8");
    ExpectSecurityHeaders(response);
}

TEST(StaticFilesTest, TraversalAndOddNamesAreNotFound) {
    const char* paths[] = {
        "/admin/../CMakeLists.txt",
        "/admin/../../etc/passwd",
        "/admin/%2e%2e/CMakeLists.txt",
        "/admin/%2E%2E%2FCMakeLists.txt",
        "/admin/img/../app.js",
        "/admin/img/%2e%2e/app.js",
        "/admin/./app.js",
        "/admin//app.js",
        "/admin/app.js/",
        "/admin/img/",
        "/admin/img",
        "/admin/..%5capp.js",
        "/admin/app.js%00",
        "/admin/app.js%00.png",
        "/admin/%zz",
        "/admin/%ff.js",
        "/admin/.hidden",
        "/admin/%2fapp.js",
        "/admin/App.js",
    };
    StaticFiles files = Console();
    for (const char* path : paths) {
        HttpResponse response = Get(files, path);
        EXPECT_EQ(response.status, 404) << path;
        EXPECT_EQ(response.body, "not found\n") << path;
    }
}

TEST(StaticFilesTest, OtherMethodsAreRefusedWithAllow) {
    for (const char* method : {"POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        HttpResponse response = Console().Serve(Request(method, "/admin/app.js"));
        EXPECT_EQ(response.status, 405) << method;
        EXPECT_EQ(response.Header("Allow"), "GET, HEAD") << method;
        ExpectSecurityHeaders(response);
    }
}

// The server leaves the body out on the wire; the answer must still carry it so that the
// Content-Length written for HEAD is the file's (a HEAD once reported Content-Length: 0).
TEST(StaticFilesTest, HeadGetsTheGetAnswerForTheServerToSendWithoutBody) {
    StaticFiles files = Console();
    HttpResponse get = Get(files, "/admin/style.css");
    HttpResponse head = files.Serve(Request("HEAD", "/admin/style.css"));
    EXPECT_EQ(head.status, 200);
    EXPECT_FALSE(head.body.empty());
    EXPECT_EQ(head.body, get.body);
    EXPECT_EQ(head.headers, get.headers);
}

TEST(StaticFilesTest, MatchingEtagGetsNotModified) {
    StaticFiles files = Console();
    HttpResponse first = Get(files, "/admin/app.js");
    auto etag = first.Header("ETag");
    ASSERT_TRUE(etag.has_value());
    EXPECT_EQ(etag->front(), '"');

    HttpRequest again = Request("GET", "/admin/app.js");
    again.headers.emplace_back("If-None-Match", "\"other\", W/" + std::string(*etag));
    HttpResponse cached = files.Serve(again);
    EXPECT_EQ(cached.status, 304);
    EXPECT_TRUE(cached.body.empty());
    EXPECT_EQ(cached.Header("ETag"), etag);

    HttpRequest stale = Request("GET", "/admin/app.js");
    stale.headers.emplace_back("If-None-Match", "\"something-else\"");
    EXPECT_EQ(files.Serve(stale).status, 200);
}

TEST(StaticFilesTest, EtagDependsOnlyOnContent) {
    constexpr embedded::File kOld[] = {{"index.html", "one"}};
    constexpr embedded::File kNew[] = {{"index.html", "two"}};
    auto etag = [](std::span<const embedded::File> files) {
        return std::string(Get(StaticFiles::FromFiles(files), "/admin/").Header("ETag").value());
    };
    EXPECT_EQ(etag(kOld), etag(kOld));
    EXPECT_NE(etag(kOld), etag(kNew));
}

class TempDir {
public:
    TempDir() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("scimd-static-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

    void Write(const std::filesystem::path& relative, const std::string& content) const {
        std::filesystem::create_directories((path_ / relative).parent_path());
        std::ofstream(path_ / relative, std::ios::binary) << content;
    }

private:
    std::filesystem::path path_;
};

TEST(StaticFilesDirectoryTest, LoadsVisibleFilesBelowTheFolder) {
    TempDir dir;
    dir.Write("console/index.html", "<p>hi</p>");
    dir.Write("console/js/app.js", "1");
    dir.Write("console/.env", "SECRET=1");
    dir.Write("console/.git/config", "x");
    dir.Write("outside.txt", "private");

    auto files = StaticFiles::FromDirectory(dir.path() / "console");
    ASSERT_TRUE(files.ok()) << files.error().internal;
    EXPECT_EQ(files->size(), 2u);
    EXPECT_EQ(Get(*files, "/admin/").body, "<p>hi</p>");
    EXPECT_EQ(Get(*files, "/admin/js/app.js").body, "1");
    EXPECT_EQ(Get(*files, "/admin/.env").status, 404);
    EXPECT_EQ(Get(*files, "/admin/.git/config").status, 404);
    EXPECT_EQ(Get(*files, "/admin/../outside.txt").status, 404);
    EXPECT_EQ(Get(*files, "/admin/%2e%2e/outside.txt").status, 404);
}

TEST(StaticFilesDirectoryTest, RefusesAFolderWithoutIndex) {
    TempDir dir;
    dir.Write("app.js", "1");
    auto files = StaticFiles::FromDirectory(dir.path());
    ASSERT_FALSE(files.ok());
    EXPECT_NE(files.error().internal.find("index.html"), std::string::npos);
}

TEST(StaticFilesDirectoryTest, RefusesAMissingFolder) {
    TempDir dir;
    EXPECT_FALSE(StaticFiles::FromDirectory(dir.path() / "nope").ok());
}

// The console shipped in the binary: complete, and compatible with its own CSP (no inline
// script or style anywhere, every module it imports present).
TEST(EmbeddedConsoleTest, HasTheEntryPoints) {
    StaticFiles files = StaticFiles::Embedded();
    for (const char* path : {"/admin/", "/admin/app.js", "/admin/style.css"}) {
        EXPECT_EQ(Get(files, path).status, 200) << path;
    }
}

TEST(EmbeddedConsoleTest, NeedsNoInlineCodeOrOtherOrigins) {
    const std::regex inline_script(R"(<script(?![^>]*\bsrc=)[^>]*>)", std::regex::icase);
    const std::regex inline_style(R"(<style\b|\sstyle=|\bon[a-z]+=["'])", std::regex::icase);
    const std::regex remote(R"((src|href)=["']?(https?:)?//)", std::regex::icase);
    const std::regex unsafe_js(
        R"(\binnerHTML\b|\bouterHTML\b|\beval\(|new Function\(|document\.write)");
    for (const embedded::File& file : admin_console::Files()) {
        std::string content(file.content);
        SCOPED_TRACE(std::string(file.path));
        EXPECT_FALSE(std::regex_search(content, inline_script));
        EXPECT_FALSE(std::regex_search(content, inline_style));
        EXPECT_FALSE(std::regex_search(content, remote));
        if (std::string_view(file.path).ends_with(".js")) {
            EXPECT_FALSE(std::regex_search(content, unsafe_js));
        }
    }
}

TEST(EmbeddedConsoleTest, EveryImportedModuleIsShipped) {
    std::set<std::string> names;
    for (const embedded::File& file : admin_console::Files()) {
        names.insert(std::string(file.path));
    }
    const std::regex import_from(R"(\bfrom\s+'\./([A-Za-z0-9_-]+\.js)')");
    int imports = 0;
    for (const embedded::File& file : admin_console::Files()) {
        std::string content(file.content);
        for (std::sregex_iterator it(content.begin(), content.end(), import_from), end; it != end;
             ++it) {
            ++imports;
            EXPECT_TRUE(names.count("admin/" + (*it)[1].str()))
                << file.path << " imports missing " << (*it)[1];
        }
    }
    EXPECT_GT(imports, 0);
}

// The console is reached through the Api, before its route table, and only when configured.
TEST(ApiConsoleTest, ServesTheConsoleWithoutCredentialsWhenConfigured) {
    ::testing::NiceMock<testing::MockBackend> backend;
    testing::FakeAuthenticator auth;
    StaticFiles files = Console();
    std::vector<std::string> log;
    ApiOptions options;
    options.log = [&log](std::string_view line) { log.emplace_back(line); };
    options.console = &files;
    Api api(backend, auth, options);

    HttpResponse page = api.Handle(Request("GET", "/admin/"));
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
    ExpectSecurityHeaders(page);
    EXPECT_EQ(api.Handle(Request("GET", "/admin/../scim/v2/Users")).status, 404);
    EXPECT_EQ(api.Handle(Request("GET", "/admin")).status, 301);
    ASSERT_FALSE(log.empty());
    EXPECT_NE(log.front().find("route=/admin/*"), std::string::npos) << log.front();
    EXPECT_TRUE(auth.addrs().empty());  // never asked to authenticate
}

TEST(ApiConsoleTest, WithoutConsoleTheAdminPathIsAnUnknownEndpoint) {
    ::testing::NiceMock<testing::MockBackend> backend;
    testing::FakeAuthenticator auth;
    ApiOptions options;
    options.log = [](std::string_view) {};
    Api api(backend, auth, options);
    HttpResponse response = api.Handle(Request("GET", "/admin/"));
    EXPECT_EQ(response.status, 404);
    EXPECT_FALSE(response.Header("Content-Security-Policy").has_value());
}

}  // namespace
}  // namespace scim::http
