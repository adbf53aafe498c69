#pragma once

#include <optional>
#include <string>

namespace scim {

// What kind of credential authenticated a request (DESIGN.md §7).
enum class CredentialKind { kOrgSat, kWorkspaceSat, kAdminKey, kCli };

// Who is acting. Built by authentication; never holds the secret itself.
struct Principal {
    std::string org_id;
    std::optional<std::string> workspace_id;  // set for workspace SATs only
    std::string credential_id;                // token or admin key id ("" for the CLI)
    std::string credential_name;
    CredentialKind kind = CredentialKind::kOrgSat;
};

// Everything a write needs to attribute itself in the audit log.
struct RequestContext {
    Principal principal;
    std::string request_id;
    std::string source_addr;
};

}  // namespace scim
