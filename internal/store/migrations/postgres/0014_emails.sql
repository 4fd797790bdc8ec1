-- Mail sent from Rapport and received by it, as records.
CREATE TABLE emails (
    workspace_id  TEXT NOT NULL,
    id            TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    owner_id      TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    deleted_at    TIMESTAMPTZ,
    custom        JSONB NOT NULL DEFAULT '{}',
    search        TSVECTOR,
    direction     TEXT,
    status        TEXT,
    "from"        TEXT,
    "to"          JSONB,
    cc            JSONB,
    subject       TEXT,
    body_html     TEXT,
    body_text     TEXT,
    related       JSONB,
    in_reply_to   TEXT,
    message_id    TEXT,
    reference_ids JSONB,
    error         TEXT,
    sent_at       TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX emails_created ON emails (workspace_id, created_at, id);
CREATE INDEX emails_updated ON emails (workspace_id, updated_at, id);
CREATE INDEX emails_direction ON emails (workspace_id, direction NULLS FIRST, id);
CREATE INDEX emails_status ON emails (workspace_id, status NULLS FIRST, id);
CREATE INDEX emails_from ON emails (workspace_id, "from" NULLS FIRST, id);
CREATE INDEX emails_message_id ON emails (workspace_id, message_id NULLS FIRST, id);
CREATE INDEX emails_sent_at ON emails (workspace_id, sent_at NULLS FIRST, id);
CREATE INDEX emails_search ON emails USING GIN (search);
