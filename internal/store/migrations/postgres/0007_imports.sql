-- Imports: the uploaded file, its options, and how far it got.
CREATE TABLE imports (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    object       TEXT NOT NULL,
    filename     TEXT NOT NULL DEFAULT '',
    options      TEXT NOT NULL DEFAULT '{}',
    file         BYTEA,
    status       TEXT NOT NULL,
    rows_done    INTEGER NOT NULL DEFAULT 0,
    created      INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    errors       TEXT NOT NULL DEFAULT '',
    message      TEXT NOT NULL DEFAULT '',
    created_by   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX imports_created ON imports (workspace_id, created_at, id);
