-- Queues: the teams tickets go to, by the address mail comes to
-- (<name>@<mail domain>), with their members and how tickets are given
-- out; and each queue's turn in the rotation.
CREATE TABLE queues (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TEXT,
    custom       TEXT NOT NULL DEFAULT '{}',
    name         TEXT,
    members      TEXT,
    assignment   TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX queues_created ON queues (workspace_id, created_at, id);
CREATE INDEX queues_updated ON queues (workspace_id, updated_at, id);
CREATE UNIQUE INDEX queues__name__key ON queues (workspace_id, name) WHERE deleted_at IS NULL;
CREATE INDEX queues_name ON queues (workspace_id, name, id);
CREATE VIRTUAL TABLE queues_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');

CREATE TABLE queue_turns (
    workspace_id TEXT NOT NULL,
    queue        TEXT NOT NULL,
    turns        INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, queue)
);
