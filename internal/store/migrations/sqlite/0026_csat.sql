-- Customer satisfaction: the requester rates a solved ticket (good or
-- bad, and a comment) through a link mailed to them.
ALTER TABLE tickets ADD COLUMN csat_rating TEXT;
ALTER TABLE tickets ADD COLUMN csat_comment TEXT;
ALTER TABLE tickets ADD COLUMN csat_at TEXT;
CREATE INDEX tickets_csat_rating ON tickets (workspace_id, csat_rating, id);

CREATE TABLE csat_links (
    workspace_id TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    ticket_id    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, token_hash)
);
