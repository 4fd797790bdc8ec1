-- SLA policies: targets of first response and resolution in working
-- time, for the tickets their condition picks (the first by rank), over
-- their working hours; and the times a ticket's clock stood (pending).
CREATE TABLE sla_policies (
    workspace_id           TEXT NOT NULL,
    id                     TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    owner_id               TEXT,
    version                INTEGER NOT NULL DEFAULT 1,
    deleted_at             TEXT,
    custom                 TEXT NOT NULL DEFAULT '{}',
    name                   TEXT,
    condition              TEXT,
    rank                   INTEGER,
    first_response_minutes INTEGER,
    resolution_minutes     INTEGER,
    warn_minutes           INTEGER,
    time_zone              TEXT,
    hours                  TEXT,
    holidays               TEXT,
    active                 INTEGER,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX sla_policies_created ON sla_policies (workspace_id, created_at, id);
CREATE INDEX sla_policies_updated ON sla_policies (workspace_id, updated_at, id);
CREATE INDEX sla_policies_name ON sla_policies (workspace_id, name, id);
CREATE INDEX sla_policies_rank ON sla_policies (workspace_id, rank, id);
CREATE VIRTUAL TABLE sla_policies_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');

CREATE TABLE ticket_pauses (
    workspace_id TEXT NOT NULL,
    ticket_id    TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    PRIMARY KEY (workspace_id, ticket_id, started_at)
);
