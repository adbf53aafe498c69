#include "schemas/characteristics.h"

#include <array>
#include <utility>

namespace schemas {
namespace {

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
    for (const auto& [e, name] : table) {
        if (e == value) {
            return name;
        }
    }
    return "";
}

template <typename Enum, size_t N>
std::optional<Enum> ValueOf(const std::array<std::pair<Enum, std::string_view>, N>& table,
                            std::string_view text) {
    for (const auto& [e, name] : table) {
        if (name == text) {
            return e;
        }
    }
    return std::nullopt;
}

constexpr std::array<std::pair<AttrType, std::string_view>, 8> kTypes{{
    {AttrType::kString, "string"},
    {AttrType::kBoolean, "boolean"},
    {AttrType::kDecimal, "decimal"},
    {AttrType::kInteger, "integer"},
    {AttrType::kDateTime, "dateTime"},
    {AttrType::kReference, "reference"},
    {AttrType::kBinary, "binary"},
    {AttrType::kComplex, "complex"},
}};

constexpr std::array<std::pair<Mutability, std::string_view>, 4> kMutabilities{{
    {Mutability::kReadOnly, "readOnly"},
    {Mutability::kReadWrite, "readWrite"},
    {Mutability::kImmutable, "immutable"},
    {Mutability::kWriteOnly, "writeOnly"},
}};

constexpr std::array<std::pair<Returned, std::string_view>, 4> kReturneds{{
    {Returned::kAlways, "always"},
    {Returned::kNever, "never"},
    {Returned::kDefault, "default"},
    {Returned::kRequest, "request"},
}};

constexpr std::array<std::pair<Uniqueness, std::string_view>, 3> kUniquenesses{{
    {Uniqueness::kNone, "none"},
    {Uniqueness::kServer, "server"},
    {Uniqueness::kGlobal, "global"},
}};

}  // namespace

std::string_view TypeName(AttrType type) {
    return NameOf(kTypes, type);
}
std::string_view MutabilityName(Mutability mutability) {
    return NameOf(kMutabilities, mutability);
}
std::string_view ReturnedName(Returned returned) {
    return NameOf(kReturneds, returned);
}
std::string_view UniquenessName(Uniqueness uniqueness) {
    return NameOf(kUniquenesses, uniqueness);
}

std::optional<AttrType> ParseType(std::string_view text) {
    return ValueOf(kTypes, text);
}
std::optional<Mutability> ParseMutability(std::string_view text) {
    return ValueOf(kMutabilities, text);
}
std::optional<Returned> ParseReturned(std::string_view text) {
    return ValueOf(kReturneds, text);
}
std::optional<Uniqueness> ParseUniqueness(std::string_view text) {
    return ValueOf(kUniquenesses, text);
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

}  // namespace schemas
