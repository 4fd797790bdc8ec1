-- Tasks (with a reminder), the notifications users get in the app, and
-- the secret calendar feed each user may have.
CREATE TABLE tasks (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TIMESTAMPTZ,
    custom       JSONB NOT NULL DEFAULT '{}',
    search       TSVECTOR,
    title        TEXT,
    description  TEXT,
    due_at       TIMESTAMPTZ,
    remind_at    TIMESTAMPTZ,
    done         BOOLEAN,
    completed_at TIMESTAMPTZ,
    assignee_id  TEXT,
    related      JSONB,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX tasks_created ON tasks (workspace_id, created_at, id);
CREATE INDEX tasks_updated ON tasks (workspace_id, updated_at, id);
CREATE INDEX tasks_title ON tasks (workspace_id, title NULLS FIRST, id);
CREATE INDEX tasks_due_at ON tasks (workspace_id, due_at NULLS FIRST, id);
CREATE INDEX tasks_done ON tasks (workspace_id, done NULLS FIRST, id);
CREATE INDEX tasks_assignee_id ON tasks (workspace_id, assignee_id NULLS FIRST, id);
-- My tasks: a user's open tasks by due time.
CREATE INDEX tasks_open ON tasks (workspace_id, assignee_id, due_at NULLS FIRST, id) WHERE deleted_at IS NULL AND done = false;
-- The tasks about one record (filter related.id = "…").
CREATE INDEX tasks_related ON tasks (workspace_id, (related->>'id'));
CREATE INDEX tasks_search ON tasks USING GIN (search);

CREATE TABLE notifications (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    link         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    read_at      TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX notifications_user ON notifications (workspace_id, user_id, created_at);

CREATE TABLE calendar_feeds (
    workspace_id TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE UNIQUE INDEX calendar_feeds__token_hash__key ON calendar_feeds (workspace_id, token_hash);
