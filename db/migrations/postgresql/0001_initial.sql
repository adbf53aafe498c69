-- scimd schema, PostgreSQL dialect. Every key leads with org_id so that the same layout can be
-- distributed by organization on PostgreSQL (see docs/operations.md). Timestamps are stored as RFC 3339
-- UTC strings with millisecond precision, which sort correctly as text.

CREATE TABLE orgs (
    org_id      TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE workspaces (
    org_id        TEXT NOT NULL,
    workspace_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, workspace_id),
    UNIQUE (org_id, name)
);

CREATE TABLE users (
    org_id         TEXT NOT NULL,
    id             TEXT NOT NULL,
    version        BIGINT NOT NULL,
    user_name      TEXT NOT NULL,
    user_name_key  TEXT NOT NULL,   -- Unicode case fold of user_name (RFC 7643: caseExact false)
    external_id    TEXT,
    display_name   TEXT,
    active         BOOLEAN,
    created        TEXT NOT NULL,
    last_modified  TEXT NOT NULL,
    doc            JSONB NOT NULL,   -- the full resource as JSON, without meta and groups
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, user_name_key)
);
CREATE INDEX users_external_id ON users (org_id, external_id);
CREATE INDEX users_display_name ON users (org_id, display_name);
CREATE INDEX users_created ON users (org_id, created, id);
CREATE INDEX users_last_modified ON users (org_id, last_modified, id);

CREATE TABLE groups (
    org_id            TEXT NOT NULL,
    id                TEXT NOT NULL,
    version           BIGINT NOT NULL,
    display_name      TEXT NOT NULL,
    display_name_key  TEXT NOT NULL,
    external_id       TEXT,
    created           TEXT NOT NULL,
    last_modified     TEXT NOT NULL,
    doc               JSONB NOT NULL,   -- the full resource as JSON, without meta and members
    PRIMARY KEY (org_id, id)
);
CREATE INDEX groups_display_name ON groups (org_id, display_name_key);
CREATE INDEX groups_external_id ON groups (org_id, external_id);
CREATE INDEX groups_created ON groups (org_id, created, id);
CREATE INDEX groups_last_modified ON groups (org_id, last_modified, id);

-- Membership lives only here: adding a member inserts a row, it never rewrites the group.
CREATE TABLE group_members (
    org_id       TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    member_type  TEXT NOT NULL,   -- 'User' or 'Group'
    PRIMARY KEY (org_id, group_id, member_id)
);
CREATE INDEX group_members_member ON group_members (org_id, member_id);

-- Credentials: organization SATs, workspace SATs and org admin keys (kind 'org', 'workspace',
-- 'admin'). One table for the three kinds keeps one verification path; the kind decides what a
-- credential may do.
CREATE TABLE tokens (
    org_id        TEXT NOT NULL,
    token_id      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    workspace_id  TEXT,
    name          TEXT NOT NULL,
    hint          TEXT NOT NULL,   -- visible prefix and last 4 characters, never the secret
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT,
    last_used_at  TEXT,
    revoked_at    TEXT,
    PRIMARY KEY (org_id, token_id)
);

-- The keyed BLAKE2b-256 hash of each live secret of a token. Rotation adds a row and gives the
-- old one an expiry (the grace period), so a token can briefly have two valid secrets.
CREATE TABLE token_secrets (
    org_id       TEXT NOT NULL,
    secret_hash  BYTEA NOT NULL,
    token_id     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    PRIMARY KEY (org_id, secret_hash)
);
CREATE INDEX token_secrets_token ON token_secrets (org_id, token_id);

CREATE TABLE audit_events (
    org_id        TEXT NOT NULL,
    event_id      BIGINT NOT NULL,      -- increases in commit order within an org
    created_at    TEXT NOT NULL,
    actor_kind    TEXT NOT NULL,      -- 'org_sat', 'workspace_sat', 'admin_key', 'cli'
    actor_id      TEXT,
    actor_name    TEXT,
    action        TEXT NOT NULL,      -- e.g. 'user.created', 'token.revoked'
    target_type   TEXT,
    target_id     TEXT,
    workspace_id  TEXT,
    request_id    TEXT,
    source_addr   TEXT,
    details       JSONB NOT NULL,     -- JSON object
    PRIMARY KEY (org_id, event_id)
);
CREATE INDEX audit_events_created ON audit_events (org_id, created_at, event_id);
