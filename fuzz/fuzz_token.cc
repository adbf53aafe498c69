// Bearer token text from the Authorization header (DESIGN.md §7): Parse, Hint and Hash run on
// every request before any database work, so they see whatever bytes a client sends. Besides
// memory safety this checks the format promises of auth/token.h.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/token.h"
#include "fuzz_fixture.h"

namespace {

using scimd_fuzz::Fail;

constexpr auth::TokenKind kKinds[] = {auth::TokenKind::kOrg, auth::TokenKind::kWorkspace,
                                      auth::TokenKind::kAdmin};

void CheckParsed(std::string_view text, const auth::ParsedToken& parsed) {
    if (!text.starts_with(auth::TokenPrefix(parsed.kind))) {
        Fail("parsed kind does not match the prefix");
    }
    if (!auth::IsTokenSafeOrgId(parsed.org_id)) {
        Fail("parsed org id is not token-safe");
    }
    if (auth::Hint(text) == "invalid") {
        Fail("no hint for a well-formed token");
    }
    if (!parsed.checksum_ok) {
        return;
    }
    // CRC32 catches every single-byte change, so a valid token with one body character changed
    // must fail its checksum (or lose its shape).
    std::string altered(text);
    std::size_t at = altered.size() - auth::kChecksumChars - 1;
    altered[at] = altered[at] == 'a' ? 'b' : 'a';
    auto reparsed = auth::Parse(altered);
    if (reparsed && reparsed->checksum_ok) {
        Fail("checksum accepts a changed token");
    }
}

// Tokens minted for a token-safe org id must parse back to the same kind and org.
void CheckRoundTrip(std::string_view org_id) {
    if (!auth::IsTokenSafeOrgId(org_id)) {
        return;
    }
    for (auth::TokenKind kind : kKinds) {
        auto minted = auth::Mint(kind, org_id);
        if (!minted.ok()) {
            Fail("Mint refused a token-safe org id");
        }
        auto parsed = auth::Parse(minted->Reveal());
        if (!parsed || !parsed->checksum_ok || parsed->kind != kind || parsed->org_id != org_id) {
            Fail("minted token does not parse back");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = scimd_fuzz::AsText(data, size);
    std::string hint = auth::Hint(text);
    (void)auth::TokenKindFromName(text);
    auth::TokenHash hash = auth::Hash(text, auth::Pepper());
    if (!auth::HashesEqual(hash, auth::Hash(auth::Secret(std::string(text)), auth::Pepper()))) {
        Fail("hash of a token differs from the hash of the same secret");
    }

    auto parsed = auth::Parse(text);
    if (parsed) {
        CheckParsed(text, *parsed);
    } else if (hint != "invalid" && hint.find("...") == std::string::npos) {
        Fail("hint is neither invalid nor prefix...tail");
    }
    CheckRoundTrip(text);
    return 0;
}
