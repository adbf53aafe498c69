#pragma once

#include <utility>
#include <variant>

#include "scim/error.h"

namespace scim {

// Holds either a value or a scim::Error. The protocol core returns Result instead of throwing;
// callers check ok() after every step:
//
//   auto parsed = filter::Parse(text);
//   if (!parsed.ok()) return parsed.error();
//   Use(*parsed);
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(state_); }
    Error&& error() && { return std::get<1>(std::move(state_)); }

private:
    std::variant<T, Error> state_;
};

// Result of an operation that produces no value.
struct Ok {};
using Status = Result<Ok>;

}  // namespace scim
