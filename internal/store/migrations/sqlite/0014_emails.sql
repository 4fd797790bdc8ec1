-- Mail sent from Rapport and received by it, as records.
CREATE TABLE emails (
    workspace_id  TEXT NOT NULL,
    id            TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    owner_id      TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    deleted_at    TEXT,
    custom        TEXT NOT NULL DEFAULT '{}',
    direction     TEXT,
    status        TEXT,
    "from"        TEXT,
    "to"          TEXT,
    cc            TEXT,
    subject       TEXT,
    body_html     TEXT,
    body_text     TEXT,
    related       TEXT,
    in_reply_to   TEXT,
    message_id    TEXT,
    reference_ids TEXT,
    error         TEXT,
    sent_at       TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX emails_created ON emails (workspace_id, created_at, id);
CREATE INDEX emails_updated ON emails (workspace_id, updated_at, id);
CREATE INDEX emails_direction ON emails (workspace_id, direction, id);
CREATE INDEX emails_status ON emails (workspace_id, status, id);
CREATE INDEX emails_from ON emails (workspace_id, "from", id);
CREATE INDEX emails_message_id ON emails (workspace_id, message_id, id);
CREATE INDEX emails_sent_at ON emails (workspace_id, sent_at, id);
CREATE VIRTUAL TABLE emails_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
INSERT INTO emails_fts (emails_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO emails_fts (emails_fts, rank) VALUES ('automerge', 16);
