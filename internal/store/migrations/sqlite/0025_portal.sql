-- The customer portal: one-time sign-in links mailed to a contact, and
-- the sessions they start (only hashes of both are kept).
CREATE TABLE portal_links (
    workspace_id TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT,
    PRIMARY KEY (workspace_id, token_hash)
);
CREATE INDEX portal_links_contact ON portal_links (workspace_id, contact_id, created_at);

CREATE TABLE portal_sessions (
    workspace_id TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, token_hash)
);
