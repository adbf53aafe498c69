#include "scim/service/cursor.h"

#include <vector>

#include <nlohmann/json.hpp>

namespace scim::service {

namespace {

constexpr int kBase64Variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
// Cursors are short; anything longer than this is not one of ours and is rejected before any
// decoding work.
constexpr std::size_t kMaxCursorLength = 4096;

std::string ToBase64(const unsigned char* data, std::size_t size) {
    std::string out(sodium_base64_ENCODED_LEN(size, kBase64Variant), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, kBase64Variant);
    out.resize(out.size() - 1);  // drop the terminating NUL
    return out;
}

// False for empty or malformed input; neither half of a cursor is ever empty.
bool FromBase64(std::string_view text, std::vector<unsigned char>& out) {
    if (text.empty()) {
        return false;
    }
    out.resize(text.size());
    std::size_t size = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &size, &end,
                          kBase64Variant) != 0 ||
        end != text.data() + text.size()) {
        return false;
    }
    out.resize(size);
    return true;
}

Error InvalidCursor() {
    return Error::Scim(ScimType::kInvalidCursor, "the cursor is not valid for this query");
}

std::int64_t UnixSeconds(std::chrono::system_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

CursorCodec::CursorCodec(std::string_view secret, std::chrono::seconds ttl, Clock clock)
    : ttl_(ttl), clock_(clock ? std::move(clock) : Clock(&std::chrono::system_clock::now)) {
    static const int init = sodium_init();
    (void)init;
    if (secret.empty()) {
        crypto_auth_keygen(key_.data());
        return;
    }
    // Derive a fixed-size key so that secrets of any length are usable.
    static constexpr unsigned char kContext[] = "scimd cursor key";
    crypto_generichash(key_.data(), key_.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                       kContext, sizeof(kContext) - 1);
}

std::string CursorCodec::Encode(const CursorPosition& position, std::string_view query_hash) const {
    nlohmann::json payload = {
        {"k", position.key.sort_value},
        {"i", position.key.id},
        {"b", position.backward},
        {"h", query_hash},
        {"e", UnixSeconds(clock_() + ttl_)},
    };
    if (!position.type.empty()) {
        payload["r"] = position.type;
    }
    if (position.total) {
        payload["n"] = *position.total;
    }
    // Replace rather than throw on invalid UTF-8: stored values are validated, but Encode must
    // not throw whatever a document holds.
    const std::string text = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::array<unsigned char, crypto_auth_BYTES> mac;
    crypto_auth(mac.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                key_.data());
    return ToBase64(reinterpret_cast<const unsigned char*>(text.data()), text.size()) + "." +
           ToBase64(mac.data(), mac.size());
}

Result<CursorPosition> CursorCodec::Decode(std::string_view cursor,
                                           std::string_view query_hash) const {
    const auto dot = cursor.find('.');
    if (cursor.size() > kMaxCursorLength || dot == std::string_view::npos) {
        return InvalidCursor();
    }
    std::vector<unsigned char> text;
    std::vector<unsigned char> mac;
    if (!FromBase64(cursor.substr(0, dot), text) || !FromBase64(cursor.substr(dot + 1), mac) ||
        mac.size() != crypto_auth_BYTES ||
        crypto_auth_verify(mac.data(), text.data(), text.size(), key_.data()) != 0) {
        return InvalidCursor();
    }

    // The MAC held, so the payload is one we wrote; parse defensively all the same.
    const auto payload = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (!payload.is_object() || !payload.contains("k") ||
        !payload.value("i", nlohmann::json()).is_string() ||
        !payload.value("b", nlohmann::json()).is_boolean() ||
        !payload.value("h", nlohmann::json()).is_string() ||
        !payload.value("e", nlohmann::json()).is_number_integer() ||
        !payload.value("r", nlohmann::json("")).is_string() ||
        !payload.value("n", nlohmann::json(0)).is_number_integer()) {
        return InvalidCursor();
    }
    if (payload["h"].get<std::string>() != query_hash) {
        return InvalidCursor();
    }
    if (payload["e"].get<std::int64_t>() < UnixSeconds(clock_())) {
        return Error::Scim(ScimType::kExpiredCursor, "the cursor has expired; start again");
    }
    CursorPosition position{Keyset{payload["k"], payload["i"].get<std::string>()},
                            payload["b"].get<bool>(), payload.value("r", std::string()),
                            std::nullopt};
    if (payload.contains("n")) {
        position.total = payload["n"].get<std::int64_t>();
    }
    return position;
}

std::string CursorCodec::QueryHash(std::string_view org_id,
                                   std::string_view type,
                                   std::string_view filter,
                                   std::string_view sort_by,
                                   bool descending) {
    // Length-prefix each part so that no two different queries serialise alike.
    std::string text;
    for (std::string_view part : {org_id, type, filter, sort_by}) {
        text += std::to_string(part.size());
        text += ':';
        text += part;
    }
    text += descending ? "d" : "a";
    std::array<unsigned char, 16> hash;
    crypto_generichash(hash.data(), hash.size(),
                       reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr,
                       0);
    return ToBase64(hash.data(), hash.size());
}

}  // namespace scim::service
