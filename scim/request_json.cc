#include "scim/request_json.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "scim/casefold.h"
#include "scim/text.h"

namespace scim {

namespace {

// Room made at once for the names of one object: a SCIM resource has about this many at most.
constexpr std::size_t kTypicalMembers = 32;

struct TooDeep : std::runtime_error {
    TooDeep() : std::runtime_error("JSON nesting too deep") {}
};

struct RepeatedMember : std::runtime_error {
    RepeatedMember(std::string first_name, std::string second_name)
        : std::runtime_error("repeated member"),
          first(std::move(first_name)),
          second(std::move(second_name)) {}
    std::string first;   // as the body spelled it first
    std::string second;  // and the next time
};

char LowerAscii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool LessIgnoringAsciiCase(const std::string& a, const std::string& b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return LowerAscii(x) < LowerAscii(y);
    });
}

// Follows the parser's events and keeps, for every open object, one entry per member name;
// `Names` decides what an entry is and how repeats are found when the object closes.
template <typename Names>
class MemberTracker {
public:
    MemberTracker(int max_depth, MemberNames names) : max_depth_(max_depth), names_(names) {}

    bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if (depth > max_depth_) {
            throw TooDeep();
        }
        switch (event) {
            case Event::object_start:
                if (open_ == seen_.size()) {
                    seen_.emplace_back().reserve(kTypicalMembers);
                }
                seen_[open_++].clear();
                break;
            case Event::key:
                Names::Add(seen_[open_ - 1], parsed.get_ref<const std::string&>(), names_);
                break;
            case Event::object_end:
                Names::Check(seen_[--open_], names_);
                break;
            default:
                break;
        }
        return true;
    }

private:
    int max_depth_;
    MemberNames names_;
    // The entries of each open object, outermost first; seen_[open_..] are kept only so their
    // allocations serve the next objects.
    std::vector<typename Names::Entries> seen_;
    std::size_t open_ = 0;
};

// Thrown by the first pass, which only suspects; the second pass settles it.
struct SuspectedRepeat {};

// The first pass: a 64-bit hash of each name (ASCII case folded when names ignore case), so
// a body costs no copy of its names. Equal hashes only suggest a repeat, so a body built to
// collide costs at most one more parse.
struct NameHashes {
    using Entries = std::vector<std::uint64_t>;

    static std::uint64_t Mix(std::uint64_t hash, std::uint64_t word) {
        hash = (hash ^ word) * 0x9E3779B97F4A7C15ull;
        return hash ^ (hash >> 29);
    }

    static void Add(Entries& entries, const std::string& name, MemberNames names) {
        // Eight bytes at a time. Setting bit 5 of every byte folds ASCII letters; it also merges
        // a few punctuation pairs ('@' and '`'), which only costs the second pass a look.
        const std::uint64_t fold = names == MemberNames::kExact ? 0 : 0x2020202020202020ull;
        std::uint64_t hash = name.size();
        std::size_t i = 0;
        for (; i + 8 <= name.size(); i += 8) {
            std::uint64_t word;
            std::memcpy(&word, name.data() + i, 8);
            hash = Mix(hash, word | fold);
        }
        std::uint64_t tail = 0;
        std::memcpy(&tail, name.data() + i, name.size() - i);
        entries.push_back(Mix(hash, tail | fold));
    }

    static void Check(Entries& entries, MemberNames) {
        // Objects in request bodies are small: comparing pairs beats sorting up to a few dozen.
        if (entries.size() <= 32) {
            for (std::size_t i = 1; i < entries.size(); ++i) {
                if (std::find(entries.begin(), entries.begin() + i, entries[i]) !=
                    entries.begin() + i) {
                    throw SuspectedRepeat();
                }
            }
            return;
        }
        std::sort(entries.begin(), entries.end());
        if (std::adjacent_find(entries.begin(), entries.end()) != entries.end()) {
            throw SuspectedRepeat();
        }
    }
};

// The second pass, only for a body the first one suspects: the names themselves, so the
// repeat can be named as the body spelled it.
struct NameCopies {
    using Entries = std::vector<std::string>;

    static void Add(Entries& entries, const std::string& name, MemberNames) {
        entries.push_back(name);
    }

    static void Check(Entries& names, MemberNames mode) {
        if (names.size() < 2) {
            return;
        }
        // Stable, so of two equal names the first is the one the body gave first.
        auto repeated = names.end();
        if (mode == MemberNames::kExact) {
            std::stable_sort(names.begin(), names.end());
            repeated = std::adjacent_find(names.begin(), names.end());
        } else {
            std::stable_sort(names.begin(), names.end(), LessIgnoringAsciiCase);
            repeated = std::adjacent_find(names.begin(), names.end(), EqualsIgnoreCase);
        }
        if (repeated != names.end()) {
            throw RepeatedMember(*repeated, *std::next(repeated));
        }
    }
};

nlohmann::json ParseTracking(std::string_view text, int max_depth, MemberNames names) {
    try {
        // The callback is copied into the parser, so the tracker's state lives there.
        return nlohmann::json::parse(text, MemberTracker<NameHashes>(max_depth, names));
    } catch (const SuspectedRepeat&) {
        return nlohmann::json::parse(text, MemberTracker<NameCopies>(max_depth, names));
    }
}

}  // namespace

Result<nlohmann::json> ParseRequestObject(std::string_view text, int max_depth, MemberNames names) {
    // RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has an empty
    // body. Empty, or only the whitespace RFC 8259 §2 allows around a value, it holds no JSON
    // value at all; say so rather than point at a byte.
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return Error::Scim(ScimType::kInvalidSyntax, "request body is empty; send a JSON object");
    }
    nlohmann::json parsed;
    try {
        parsed = ParseTracking(text, max_depth, names);
    } catch (const TooDeep&) {
        return Error::Scim(ScimType::kInvalidSyntax, "request body nests too deeply");
    } catch (const RepeatedMember& e) {
        std::string detail = "request body names the member \"" + Shortened(e.first) + "\" twice";
        if (e.second != e.first) {
            detail += " (again as \"" + Shortened(e.second) + "\"; attribute names ignore case)";
        }
        return Error::Scim(ScimType::kInvalidSyntax, detail);
    } catch (const nlohmann::json::parse_error& e) {
        return Error::Scim(ScimType::kInvalidSyntax, "request body is not valid JSON (near byte " +
                                                         std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::exception&) {
        // For example a number beyond the range of a double (1e400); the message quotes the
        // body, so it goes nowhere.
        return Error::Scim(ScimType::kInvalidSyntax, "request body holds a number out of range");
    }
    if (!parsed.is_object()) {
        return Error::Scim(ScimType::kInvalidSyntax, "request body must be a JSON object");
    }
    return parsed;
}

}  // namespace scim
