// Resource bodies of POST, PUT and PATCH (RFC 7643 §2, RFC 7644 §3.3, §3.5.1): arbitrary JSON is
// validated for User and Group in every write mode, and the documents are projected with
// `attributes` / `excludedAttributes` values taken from the input (RFC 7644 §3.4.2.5).
// Validation and projection promise never to throw, so nothing is caught here.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_fixture.h"
#include "schemas/projection.h"
#include "schemas/validate.h"

namespace {

using scimd_fuzz::Fixture;

// Attribute names as a client would list them: the input's keys, `key.sub` for keys of nested
// objects, joined with commas. Kept short so a large input does not make every run slow.
std::string NamesOf(const nlohmann::json& input) {
    std::string names;
    if (!input.is_object()) {
        return names;
    }
    for (const auto& [key, value] : input.items()) {
        if (names.size() > 512) {
            break;
        }
        names += key + ",";
        if (value.is_object()) {
            for (const auto& [sub, unused] : value.items()) {
                names += key + "." + sub + ",";
            }
        }
    }
    return names;
}

// The first string value of the input, passed raw as a parameter: lets the fuzzer write the
// parameter text itself.
std::string FirstString(const nlohmann::json& input) {
    if (input.is_string()) {
        return input.get<std::string>();
    }
    if (input.is_structured()) {
        for (const auto& element : input) {
            if (element.is_string()) {
                return element.get<std::string>();
            }
        }
    }
    return "";
}

void Project(const Fixture& fixture,
             const schemas::ResourceType& type,
             const nlohmann::json& resource,
             const nlohmann::json& input) {
    const schemas::Registry& registry = *fixture.registry;
    std::string names = NamesOf(input);
    std::string raw = FirstString(input);
    const schemas::AttributeSelection selections[] = {
        schemas::AttributeSelection(),
        schemas::AttributeSelection::Parse(registry, type, names, std::nullopt),
        schemas::AttributeSelection::Parse(registry, type, std::nullopt, names),
        schemas::AttributeSelection::Parse(registry, type, raw, raw),
    };
    for (const auto& selection : selections) {
        nlohmann::json projected = schemas::Project(registry, type, resource, selection);
        if (projected.is_object() && projected.contains(schemas::kSecretsKey)) {
            scimd_fuzz::Fail("projection returned the stored secrets");
        }
        (void)selection.Returns(registry, type, raw);
    }
}

// `input` without its top-level password keys (any case, plain or URN-qualified). Hashing a
// password costs tens of milliseconds (Argon2id), so only the create mode hashes; the other
// modes would hash the same value through the same code.
nlohmann::json WithoutPassword(const nlohmann::json& input) {
    if (!input.is_object()) {
        return input;
    }
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : input.items()) {
        std::string folded = key;
        for (char& c : folded) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (folded != "password" && !folded.ends_with(":password")) {
            out[key] = value;
        }
    }
    return out;
}

// Validates `input` in every write mode; projects each accepted document as it would be read.
void ValidateAll(const Fixture& fixture,
                 const schemas::ResourceType& type,
                 const nlohmann::json& stored,
                 const nlohmann::json& rendered,
                 const nlohmann::json& input) {
    const schemas::Registry& registry = *fixture.registry;
    const nlohmann::json without_password = WithoutPassword(input);
    for (auto mode :
         {schemas::WriteMode::kCreate, schemas::WriteMode::kReplace, schemas::WriteMode::kPatch}) {
        const nlohmann::json& body = mode == schemas::WriteMode::kCreate ? input : without_password;
        auto validated = schemas::Validate(registry, type, body, mode, &stored);
        if (!validated.ok()) {
            continue;
        }
        nlohmann::json resource = validated->doc;
        resource["id"] = stored["id"];
        resource["meta"] = rendered["meta"];
        Project(fixture, type, resource, input);
        // The service validates stored documents again on PUT and PATCH, as `existing`.
        (void)schemas::Validate(registry, type, validated->doc, schemas::WriteMode::kReplace,
                                &validated->doc);
    }
    if (input.is_object()) {
        Project(fixture, type, input, input);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    nlohmann::json input =
        nlohmann::json::parse(scimd_fuzz::AsText(data, size), nullptr, /*allow_exceptions=*/false);
    if (input.is_discarded()) {
        return 0;
    }
    const Fixture& fixture = scimd_fuzz::GetFixture();
    ValidateAll(fixture, *fixture.user_type, fixture.user, fixture.rendered_user, input);
    ValidateAll(fixture, *fixture.group_type, fixture.group, fixture.rendered_group, input);
    return 0;
}
