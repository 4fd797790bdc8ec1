-- The customer portal: one-time sign-in links mailed to a contact, and
-- the sessions they start (only hashes of both are kept).
CREATE TABLE portal_links (
    workspace_id TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, token_hash)
);
CREATE INDEX portal_links_contact ON portal_links (workspace_id, contact_id, created_at);

CREATE TABLE portal_sessions (
    workspace_id TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, token_hash)
);
