#pragma once

#include <span>
#include <string_view>

// Files compiled into the binaries at build time (see embed_files in CMakeLists.txt): SQL
// migrations and schema data. Each generated namespace exposes
// `std::span<const embedded::File> Files()`, sorted as the files were listed.
namespace embedded {

struct File {
    std::string_view path;     // relative to the source root, e.g. "schemas/data/user.json"
    std::string_view content;  // the whole file
};

}  // namespace embedded

namespace schema_data {
std::span<const embedded::File> Files();
}

namespace migration_data {
std::span<const embedded::File> Files();
}
