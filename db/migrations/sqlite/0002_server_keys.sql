-- Secrets the server generates for itself and every instance must share, such as the key that
-- signs paging cursors: one row per purpose, created by the first instance that needs it.
-- Exempt from the org_id rule: these rows belong to the deployment, not to an organization, and
-- are read before any organization exists (on a distributed engine: a reference table).

CREATE TABLE server_keys (
    name        TEXT NOT NULL PRIMARY KEY,
    secret      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
