// RFC 3339 date-time parsing and normalisation for the dateTime type (RFC 7643 §2.3.5).
#include <charconv>
#include <chrono>
#include <cstdio>

#include "schemas/validate.h"

namespace schemas {
namespace {

// Reads exactly `width` digits at `pos` into `out`.
bool ReadDigits(std::string_view text, size_t pos, size_t width, int& out) {
    if (pos + width > text.size()) {
        return false;
    }
    for (size_t i = pos; i < pos + width; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    std::from_chars(text.data() + pos, text.data() + pos + width, out);
    return true;
}

bool Expect(std::string_view text, size_t pos, char c) {
    return pos < text.size() && text[pos] == c;
}

struct Parsed {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    int millis = 0;
    int offset_minutes = 0;  // east of UTC
};

// `YYYY-MM-DDTHH:MM:SS`, returning the position after it.
bool ParseDateAndTime(std::string_view text, Parsed& p, size_t& pos) {
    const bool ok =
        ReadDigits(text, 0, 4, p.year) && Expect(text, 4, '-') && ReadDigits(text, 5, 2, p.month) &&
        Expect(text, 7, '-') && ReadDigits(text, 8, 2, p.day) &&
        (Expect(text, 10, 'T') || Expect(text, 10, 't')) && ReadDigits(text, 11, 2, p.hour) &&
        Expect(text, 13, ':') && ReadDigits(text, 14, 2, p.minute) && Expect(text, 16, ':') &&
        ReadDigits(text, 17, 2, p.second);
    pos = 19;
    return ok;
}

// Optional `.digits`, truncated to milliseconds.
bool ParseFraction(std::string_view text, Parsed& p, size_t& pos) {
    if (!Expect(text, pos, '.')) {
        return true;
    }
    ++pos;
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (pos - start < 3) {
            p.millis = p.millis * 10 + (text[pos] - '0');
        }
        ++pos;
    }
    for (size_t n = pos - start; n < 3; ++n) {
        p.millis *= 10;
    }
    return pos > start;
}

// `Z`, `+HH:MM` or `-HH:MM`. NOTE(#3): xsd:dateTime (which RFC 7643 §2.3.5 refers to) lets the zone
// be left out; such a value is taken as UTC.
bool ParseOffset(std::string_view text, Parsed& p, size_t pos) {
    if (pos == text.size()) {
        return true;
    }
    if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
        return true;
    }
    if (text[pos] != '+' && text[pos] != '-') {
        return false;
    }
    int hours = 0, minutes = 0;
    if (!ReadDigits(text, pos + 1, 2, hours) || !Expect(text, pos + 3, ':') ||
        !ReadDigits(text, pos + 4, 2, minutes) || pos + 6 != text.size() || hours > 23 ||
        minutes > 59) {
        return false;
    }
    p.offset_minutes = (hours * 60 + minutes) * (text[pos] == '-' ? -1 : 1);
    return true;
}

// Leap seconds (second 60) are refused: the store compares timestamps as text and would order
// them wrongly, and no provisioning client sends them.
bool InRange(const Parsed& p) {
    const std::chrono::year_month_day date{std::chrono::year(p.year),
                                           std::chrono::month(static_cast<unsigned>(p.month)),
                                           std::chrono::day(static_cast<unsigned>(p.day))};
    return date.ok() && p.hour <= 23 && p.minute <= 59 && p.second <= 59;
}

}  // namespace

std::optional<std::string> NormalizeDateTime(std::string_view text) {
    Parsed p;
    size_t pos = 0;
    if (!ParseDateAndTime(text, p, pos) || !ParseFraction(text, p, pos) ||
        !ParseOffset(text, p, pos) || !InRange(p)) {
        return std::nullopt;
    }
    using namespace std::chrono;
    const sys_days local_day{year_month_day{year(p.year), month(static_cast<unsigned>(p.month)),
                                            day(static_cast<unsigned>(p.day))}};
    const sys_time<milliseconds> utc = local_day + hours(p.hour) + minutes(p.minute) +
                                       seconds(p.second) + milliseconds(p.millis) -
                                       minutes(p.offset_minutes);
    const sys_days utc_day = floor<std::chrono::days>(utc);
    const year_month_day ymd{utc_day};
    const hh_mm_ss<milliseconds> time{utc - utc_day};
    const int y = static_cast<int>(ymd.year());
    if (y < 0 || y > 9999) {
        return std::nullopt;
    }
    char buffer[32];
    int n = std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", y,
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          static_cast<int>(time.hours().count()),
                          static_cast<int>(time.minutes().count()),
                          static_cast<int>(time.seconds().count()));
    const auto ms = static_cast<int>(time.subseconds().count());
    if (ms != 0) {
        n += std::snprintf(buffer + n, sizeof buffer - static_cast<size_t>(n), ".%03d", ms);
    }
    return std::string(buffer, static_cast<size_t>(n)) + "Z";
}

}  // namespace schemas
