-- Email templates with merge fields, and the template an email was made from.
CREATE TABLE templates (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TEXT,
    custom       TEXT NOT NULL DEFAULT '{}',
    name         TEXT,
    language     TEXT,
    subject      TEXT,
    body_html    TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX templates_created ON templates (workspace_id, created_at, id);
CREATE INDEX templates_updated ON templates (workspace_id, updated_at, id);
CREATE INDEX templates_name ON templates (workspace_id, name, id);
CREATE INDEX templates_language ON templates (workspace_id, language, id);
CREATE VIRTUAL TABLE templates_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
INSERT INTO templates_fts (templates_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO templates_fts (templates_fts, rank) VALUES ('automerge', 16);
ALTER TABLE emails ADD COLUMN template_id TEXT;
