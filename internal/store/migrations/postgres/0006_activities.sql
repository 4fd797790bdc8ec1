-- Activities: notes, calls, meetings and emails about any records.
CREATE TABLE activities (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TIMESTAMPTZ,
    custom       JSONB NOT NULL DEFAULT '{}',
    search       TSVECTOR,
    kind         TEXT,
    subject      TEXT,
    body         TEXT,
    occurred_at  TIMESTAMPTZ,
    related      JSONB,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX activities_created ON activities (workspace_id, created_at, id);
CREATE INDEX activities_updated ON activities (workspace_id, updated_at, id);
CREATE INDEX activities_kind ON activities (workspace_id, kind NULLS FIRST, id);
CREATE INDEX activities_occurred_at ON activities (workspace_id, occurred_at NULLS FIRST, id);
CREATE INDEX activities_search ON activities USING GIN (search);
