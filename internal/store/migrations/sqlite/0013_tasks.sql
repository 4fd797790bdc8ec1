-- Tasks (with a reminder), the notifications users get in the app, and
-- the secret calendar feed each user may have.
CREATE TABLE tasks (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TEXT,
    custom       TEXT NOT NULL DEFAULT '{}',
    title        TEXT,
    description  TEXT,
    due_at       TEXT,
    remind_at    TEXT,
    done         INTEGER,
    completed_at TEXT,
    assignee_id  TEXT,
    related      TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX tasks_created ON tasks (workspace_id, created_at, id);
CREATE INDEX tasks_updated ON tasks (workspace_id, updated_at, id);
CREATE INDEX tasks_title ON tasks (workspace_id, title, id);
CREATE INDEX tasks_due_at ON tasks (workspace_id, due_at, id);
CREATE INDEX tasks_done ON tasks (workspace_id, done, id);
CREATE INDEX tasks_assignee_id ON tasks (workspace_id, assignee_id, id);
-- My tasks: a user's open tasks by due time.
CREATE INDEX tasks_open ON tasks (workspace_id, assignee_id, due_at, id) WHERE deleted_at IS NULL AND done = 0;
-- The tasks about one record (filter related.id = "…").
CREATE INDEX tasks_related ON tasks (workspace_id, json_extract(related, '$.id'));
CREATE VIRTUAL TABLE tasks_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
INSERT INTO tasks_fts (tasks_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO tasks_fts (tasks_fts, rank) VALUES ('automerge', 16);

CREATE TABLE notifications (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    link         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    read_at      TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX notifications_user ON notifications (workspace_id, user_id, created_at);

CREATE TABLE calendar_feeds (
    workspace_id TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE UNIQUE INDEX calendar_feeds__token_hash__key ON calendar_feeds (workspace_id, token_hash);
