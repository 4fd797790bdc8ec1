-- Activities: notes, calls, meetings and emails about any records.
CREATE TABLE activities (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TEXT,
    custom       TEXT NOT NULL DEFAULT '{}',
    kind         TEXT,
    subject      TEXT,
    body         TEXT,
    occurred_at  TEXT,
    related      TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX activities_created ON activities (workspace_id, created_at, id);
CREATE INDEX activities_updated ON activities (workspace_id, updated_at, id);
CREATE INDEX activities_kind ON activities (workspace_id, kind, id);
CREATE INDEX activities_occurred_at ON activities (workspace_id, occurred_at, id);
CREATE VIRTUAL TABLE activities_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
