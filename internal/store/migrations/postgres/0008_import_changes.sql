-- What an import changed, so that it can be undone: records it created,
-- and the values it overwrote.
CREATE TABLE import_changes (
    workspace_id TEXT NOT NULL,
    import_id    TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    object       TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    before       TEXT,
    PRIMARY KEY (workspace_id, import_id, seq)
);
