-- Email templates with merge fields, and the template an email was made from.
CREATE TABLE templates (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TIMESTAMPTZ,
    custom       JSONB NOT NULL DEFAULT '{}',
    search       TSVECTOR,
    name         TEXT,
    language     TEXT,
    subject      TEXT,
    body_html    TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX templates_created ON templates (workspace_id, created_at, id);
CREATE INDEX templates_updated ON templates (workspace_id, updated_at, id);
CREATE INDEX templates_name ON templates (workspace_id, name NULLS FIRST, id);
CREATE INDEX templates_language ON templates (workspace_id, language NULLS FIRST, id);
CREATE INDEX templates_search ON templates USING GIN (search);
ALTER TABLE emails ADD COLUMN template_id TEXT;
