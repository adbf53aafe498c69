#include "scim/casefold.h"

#include <cstdlib>

#include <utf8proc.h>

namespace scim {

std::string FoldCase(std::string_view text) {
    utf8proc_uint8_t* folded = nullptr;
    const auto options =
        static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    const utf8proc_ssize_t length =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                     static_cast<utf8proc_ssize_t>(text.size()), &folded, options);
    if (length < 0) {
        return std::string(text);
    }
    std::string result(reinterpret_cast<char*>(folded), static_cast<size_t>(length));
    std::free(folded);
    return result;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; };
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool IsValidUtf8(std::string_view text) {
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    utf8proc_ssize_t remaining = static_cast<utf8proc_ssize_t>(text.size());
    while (remaining > 0) {
        utf8proc_int32_t codepoint;
        const utf8proc_ssize_t n = utf8proc_iterate(p, remaining, &codepoint);
        if (n < 0) {
            return false;
        }
        p += n;
        remaining -= n;
    }
    return true;
}

}  // namespace scim
