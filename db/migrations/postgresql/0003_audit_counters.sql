-- The last event_id handed out per organization. An append raises the org's row and inserts the
-- event in one statement; the raised row stays locked until the appending transaction commits,
-- so the next writer of the same org only gets its id after that commit and ids keep increasing
-- in commit order, which the Audit Log API cursor relies on (see db/audit_store.h). Writers of
-- other orgs touch other rows and never wait.

CREATE TABLE audit_counters (
    org_id         TEXT NOT NULL,
    last_event_id  BIGINT NOT NULL,
    PRIMARY KEY (org_id)
);

-- Databases written before this table existed continue after their largest id.
INSERT INTO audit_counters (org_id, last_event_id)
    SELECT org_id, MAX(event_id) FROM audit_events GROUP BY org_id;
