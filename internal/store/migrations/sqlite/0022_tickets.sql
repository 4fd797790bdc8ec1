-- Service tickets: the requests customers make, numbered per workspace,
-- and their conversation (public replies and internal notes).
CREATE TABLE tickets (
    workspace_id          TEXT NOT NULL,
    id                    TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    owner_id              TEXT,
    version               INTEGER NOT NULL DEFAULT 1,
    deleted_at            TEXT,
    custom                TEXT NOT NULL DEFAULT '{}',
    number                INTEGER,
    subject               TEXT,
    status                TEXT,
    priority              TEXT,
    type                  TEXT,
    queue                 TEXT,
    contact_id            TEXT,
    company_id            TEXT,
    assignee_id           TEXT,
    channel               TEXT,
    tags                  TEXT,
    sla_policy_id         TEXT,
    first_response_due_at TEXT,
    resolution_due_at     TEXT,
    first_responded_at    TEXT,
    solved_at             TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX tickets_created ON tickets (workspace_id, created_at, id);
CREATE INDEX tickets_updated ON tickets (workspace_id, updated_at, id);
CREATE UNIQUE INDEX tickets__number__key ON tickets (workspace_id, number);
CREATE INDEX tickets_subject ON tickets (workspace_id, subject, id);
CREATE INDEX tickets_status ON tickets (workspace_id, status, id);
CREATE INDEX tickets_priority ON tickets (workspace_id, priority, id);
CREATE INDEX tickets_queue ON tickets (workspace_id, queue, id);
CREATE INDEX tickets_contact_id ON tickets (workspace_id, contact_id, id);
CREATE INDEX tickets_company_id ON tickets (workspace_id, company_id, id);
CREATE INDEX tickets_assignee_id ON tickets (workspace_id, assignee_id, id);
CREATE INDEX tickets_first_response_due_at ON tickets (workspace_id, first_response_due_at, id);
CREATE INDEX tickets_resolution_due_at ON tickets (workspace_id, resolution_due_at, id);
-- My open tickets: an agent's unsolved tickets, most recently changed first.
CREATE INDEX tickets_mine ON tickets (workspace_id, assignee_id, updated_at, id) WHERE deleted_at IS NULL AND status IN ('new', 'open', 'pending');
CREATE VIRTUAL TABLE tickets_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('automerge', 16);

CREATE TABLE ticket_numbers (
    workspace_id TEXT NOT NULL,
    last         INTEGER NOT NULL,
    PRIMARY KEY (workspace_id)
);

-- A ticket's conversation: what the requester wrote (by mail, in the
-- portal) and what agents answered (public, sent by mail) or noted
-- (internal, never sent).
CREATE TABLE ticket_messages (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    ticket_id    TEXT NOT NULL,
    author_user  TEXT NOT NULL DEFAULT '',
    author_contact TEXT NOT NULL DEFAULT '',
    internal     INTEGER NOT NULL DEFAULT 0,
    body_text    TEXT NOT NULL,
    body_html    TEXT NOT NULL DEFAULT '',
    email_id     TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (workspace_id, ticket_id, created_at, id);
