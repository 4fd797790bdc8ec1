-- Files that came or went with an email: what a user attached, what a
-- received message carried (within the size limits).
CREATE TABLE email_attachments (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    email_id     TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    -- An inline image's Content-ID (cid: in the HTML), else empty.
    content_id   TEXT NOT NULL DEFAULT '',
    data         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX email_attachments_email ON email_attachments (workspace_id, email_id, id);
