// PATCH input (RFC 7644 §3.5.2): the bytes are tried as an operation path, as a path inside a
// generated PatchOp body, and, when they parse as JSON, as the body itself. Applied bodies are
// then validated the way the service does before it writes. The PATCH engine and validation
// promise never to throw, so nothing is caught here.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_fixture.h"
#include "schemas/validate.h"
#include "scim/casefold.h"
#include "scim/filter/filter.h"
#include "scim/patch/patch.h"
#include "scim/patch/target.h"

namespace {

using scimd_fuzz::Fixture;

void ParseAndBind(const Fixture& fixture, std::string_view text) {
    for (const schemas::ResourceType* type : {fixture.user_type, fixture.group_type}) {
        auto path = scim::filter::ParsePatchPath(text);
        if (!path.ok()) {
            return;
        }
        (void)scim::filter::ToString(*path);
        if (scim::filter::BindPatchPath(*path, *fixture.registry, *type).ok()) {
            (void)scim::filter::ToString(*path);
        }
        (void)scim::patch::ResolvePath(*fixture.registry, *type, text);
        (void)scim::patch::ResolveKey(*fixture.registry, *type, text);
    }
}

// Applies `body` to the fixed resource of `type` and, on success and when `validate`, validates
// the outcome as a PATCH write the way the service does (the slow part of a run).
void ApplyAndValidate(const Fixture& fixture,
                      const schemas::ResourceType& type,
                      const nlohmann::json& stored,
                      const nlohmann::json& body,
                      bool validate) {
    auto patched = scim::patch::Apply(*fixture.registry, type, stored, body);
    if (!patched.ok()) {
        return;
    }
    if (!patched->changed && patched->doc != stored) {
        scimd_fuzz::Fail("PATCH reported no change but the document differs");
    }
    if (!validate) {
        return;
    }
    (void)schemas::Validate(*fixture.registry, type, patched->doc, schemas::WriteMode::kPatch,
                            &stored);
}

void ApplyBoth(const Fixture& fixture, const nlohmann::json& body, bool validate) {
    ApplyAndValidate(fixture, *fixture.user_type, fixture.user, body, validate);
    ApplyAndValidate(fixture, *fixture.group_type, fixture.group, body, validate);
}

nlohmann::json Body(nlohmann::json operations) {
    return {{"schemas", {schemas::kPatchOpSchema}}, {"Operations", std::move(operations)}};
}

// The text as the `path` of each operation kind. Only valid UTF-8 can reach the engine this
// way: it comes out of a JSON body, whose parser rejects anything else.
void PathInOperations(const Fixture& fixture, std::string_view text) {
    if (!scim::IsValidUtf8(text)) {
        return;
    }
    std::string path(text);
    ApplyBoth(fixture, Body({{{"op", "remove"}, {"path", path}}}), false);
    ApplyBoth(fixture, Body({{{"op", "add"}, {"path", path}, {"value", "x"}}}), false);
    ApplyBoth(fixture, Body({{{"op", "replace"}, {"path", path}, {"value", {{"value", "x"}}}}}),
              false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = scimd_fuzz::AsText(data, size);
    const Fixture& fixture = scimd_fuzz::GetFixture();
    ParseAndBind(fixture, text);
    PathInOperations(fixture, text);

    nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
        return 0;
    }
    // A bare Operations array (or a single operation) is wrapped so that the fuzzer reaches the
    // operations without having to spell the envelope each time.
    if (body.is_array()) {
        body = Body(std::move(body));
    } else if (body.is_object() && body.contains("op")) {
        body = Body(nlohmann::json::array({std::move(body)}));
    }
    ApplyBoth(fixture, body, true);
    return 0;
}
