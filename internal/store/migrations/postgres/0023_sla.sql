-- SLA policies: targets of first response and resolution in working
-- time, for the tickets their condition picks (the first by rank), over
-- their working hours; and the times a ticket's clock stood (pending).
CREATE TABLE sla_policies (
    workspace_id           TEXT NOT NULL,
    id                     TEXT NOT NULL,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL,
    owner_id               TEXT,
    version                INTEGER NOT NULL DEFAULT 1,
    deleted_at             TIMESTAMPTZ,
    custom                 JSONB NOT NULL DEFAULT '{}',
    search                 TSVECTOR,
    name                   TEXT,
    condition              TEXT,
    rank                   INTEGER,
    first_response_minutes INTEGER,
    resolution_minutes     INTEGER,
    warn_minutes           INTEGER,
    time_zone              TEXT,
    hours                  TEXT,
    holidays               JSONB,
    active                 BOOLEAN,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX sla_policies_created ON sla_policies (workspace_id, created_at, id);
CREATE INDEX sla_policies_updated ON sla_policies (workspace_id, updated_at, id);
CREATE INDEX sla_policies_name ON sla_policies (workspace_id, name NULLS FIRST, id);
CREATE INDEX sla_policies_rank ON sla_policies (workspace_id, rank NULLS FIRST, id);
CREATE INDEX sla_policies_search ON sla_policies USING GIN (search);

CREATE TABLE ticket_pauses (
    workspace_id TEXT NOT NULL,
    ticket_id    TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    ended_at     TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, ticket_id, started_at)
);
