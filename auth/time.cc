#include "auth/time.h"

#include <charconv>
#include <cstdint>
#include <cstdio>

namespace auth {
namespace {

using std::chrono::system_clock;

// Reads exactly `width` decimal digits at `pos`, advancing it.
std::optional<int> Digits(std::string_view text, std::size_t& pos, std::size_t width) {
    if (pos + width > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    pos += width;
    return value;
}

bool Expect(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

std::optional<std::chrono::sys_days> ReadDate(std::string_view text, std::size_t& pos) {
    auto y = Digits(text, pos, 4);
    if (!y || !Expect(text, pos, '-')) {
        return std::nullopt;
    }
    auto m = Digits(text, pos, 2);
    if (!m || !Expect(text, pos, '-')) {
        return std::nullopt;
    }
    auto d = Digits(text, pos, 2);
    if (!d) {
        return std::nullopt;
    }
    std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(*m),
                                    std::chrono::day(*d)};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return std::chrono::sys_days(ymd);
}

// "HH:MM:SS[.fraction]" as nanoseconds since midnight.
std::optional<std::chrono::nanoseconds> ReadTime(std::string_view text, std::size_t& pos) {
    auto h = Digits(text, pos, 2);
    if (!h || !Expect(text, pos, ':')) {
        return std::nullopt;
    }
    auto mi = Digits(text, pos, 2);
    if (!mi || !Expect(text, pos, ':')) {
        return std::nullopt;
    }
    auto s = Digits(text, pos, 2);
    // RFC 3339 allows second 60 for leap seconds; system_clock has none, so it is refused.
    if (!s || *h > 23 || *mi > 59 || *s > 59) {
        return std::nullopt;
    }
    std::chrono::nanoseconds out =
        std::chrono::hours(*h) + std::chrono::minutes(*mi) + std::chrono::seconds(*s);
    if (Expect(text, pos, '.')) {
        std::int64_t scale = 100000000;
        std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 9) {
            out += std::chrono::nanoseconds((text[pos] - '0') * scale);
            scale /= 10;
            ++pos;
        }
        if (pos == start) {
            return std::nullopt;
        }
    }
    return out;
}

// "Z", "+HH:MM" or "-HH:MM" as the offset to subtract to reach UTC.
std::optional<std::chrono::minutes> ReadOffset(std::string_view text, std::size_t& pos) {
    if (Expect(text, pos, 'Z') || Expect(text, pos, 'z')) {
        return std::chrono::minutes(0);
    }
    int sign = 0;
    if (Expect(text, pos, '+')) {
        sign = 1;
    } else if (Expect(text, pos, '-')) {
        sign = -1;
    } else {
        return std::nullopt;
    }
    auto h = Digits(text, pos, 2);
    if (!h || !Expect(text, pos, ':')) {
        return std::nullopt;
    }
    auto m = Digits(text, pos, 2);
    if (!m || *h > 23 || *m > 59) {
        return std::nullopt;
    }
    return std::chrono::minutes(sign * (*h * 60 + *m));
}

}  // namespace

std::string FormatTimestamp(system_clock::time_point t) {
    auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
    auto days = std::chrono::floor<std::chrono::days>(ms);
    std::chrono::year_month_day ymd(days);
    std::chrono::hh_mm_ss<std::chrono::milliseconds> hms(ms - days);
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return buf;
}

std::optional<system_clock::time_point> ParseTimestamp(std::string_view text) {
    std::size_t pos = 0;
    auto date = ReadDate(text, pos);
    if (!date) {
        return std::nullopt;
    }
    if (pos == text.size()) {
        return system_clock::time_point(*date);
    }
    if (!Expect(text, pos, 'T') && !Expect(text, pos, 't')) {
        return std::nullopt;
    }
    auto time = ReadTime(text, pos);
    if (!time) {
        return std::nullopt;
    }
    auto offset = ReadOffset(text, pos);
    if (!offset || pos != text.size()) {
        return std::nullopt;
    }
    auto local = std::chrono::time_point_cast<system_clock::duration>(
        std::chrono::sys_time<std::chrono::nanoseconds>(*date) + *time);
    return local - *offset;
}

std::optional<std::chrono::seconds> ParseDuration(std::string_view text) {
    if (text.size() < 2) {
        return std::nullopt;
    }
    std::int64_t count = 0;
    std::string_view number = text.substr(0, text.size() - 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), count);
    if (ec != std::errc() || end != number.data() + number.size() || count <= 0) {
        return std::nullopt;
    }
    std::int64_t unit = 0;
    switch (text.back()) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            return std::nullopt;
    }
    // Beyond about 10,000 years a duration is certainly a mistake, and it keeps time_point
    // arithmetic far from overflow.
    constexpr std::int64_t kMaxSeconds = std::int64_t{10000} * 366 * 86400;
    if (count > kMaxSeconds / unit) {
        return std::nullopt;
    }
    return std::chrono::seconds(count * unit);
}

}  // namespace auth
