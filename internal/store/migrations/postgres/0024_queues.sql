-- Queues: the teams tickets go to, by the address mail comes to
-- (<name>@<mail domain>), with their members and how tickets are given
-- out; and each queue's turn in the rotation.
CREATE TABLE queues (
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
    members      JSONB,
    assignment   TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX queues_created ON queues (workspace_id, created_at, id);
CREATE INDEX queues_updated ON queues (workspace_id, updated_at, id);
CREATE UNIQUE INDEX queues__name__key ON queues (workspace_id, name) WHERE deleted_at IS NULL;
CREATE INDEX queues_name ON queues (workspace_id, name NULLS FIRST, id);
CREATE INDEX queues_search ON queues USING GIN (search);

CREATE TABLE queue_turns (
    workspace_id TEXT NOT NULL,
    queue        TEXT NOT NULL,
    turns        INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, queue)
);
