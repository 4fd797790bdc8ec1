-- Reports and dashboards: saved questions about any object's records,
-- drawn as a table or a chart, shared with roles and users, mailed on a
-- schedule; a dashboard is a grid of them over one period. A ticket
-- remembers whether it missed an SLA target, for the service dashboard.
CREATE TABLE reports (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    owner_id       TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    deleted_at     TIMESTAMPTZ,
    custom         JSONB NOT NULL DEFAULT '{}',
    search         TSVECTOR,
    name           TEXT,
    description    TEXT,
    object         TEXT,
    filter         TEXT,
    group_by       JSONB,
    measures       JSONB,
    order_by       TEXT,
    row_limit      INTEGER,
    period_field   TEXT,
    period_range   TEXT,
    compare        BOOLEAN,
    chart          TEXT,
    share_roles    JSONB,
    share_user_ids JSONB,
    schedule       TEXT,
    email_to       JSONB,
    last_sent_at   TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX reports_created ON reports (workspace_id, created_at, id);
CREATE INDEX reports_updated ON reports (workspace_id, updated_at, id);
CREATE INDEX reports_name ON reports (workspace_id, name NULLS FIRST, id);
CREATE INDEX reports_search ON reports USING GIN (search);

CREATE TABLE dashboards (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    owner_id       TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    deleted_at     TIMESTAMPTZ,
    custom         JSONB NOT NULL DEFAULT '{}',
    search         TSVECTOR,
    name           TEXT,
    description    TEXT,
    key            TEXT,
    report_ids     JSONB,
    period_range   TEXT,
    share_roles    JSONB,
    share_user_ids JSONB,
    schedule       TEXT,
    email_to       JSONB,
    last_sent_at   TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX dashboards_created ON dashboards (workspace_id, created_at, id);
CREATE INDEX dashboards_updated ON dashboards (workspace_id, updated_at, id);
CREATE INDEX dashboards_name ON dashboards (workspace_id, name NULLS FIRST, id);
CREATE UNIQUE INDEX dashboards__key__key ON dashboards (workspace_id, key) WHERE deleted_at IS NULL;
CREATE INDEX dashboards_key ON dashboards (workspace_id, key NULLS FIRST, id);
CREATE INDEX dashboards_search ON dashboards USING GIN (search);

ALTER TABLE tickets ADD COLUMN sla_breached BOOLEAN;
UPDATE tickets SET sla_breached = (
    first_responded_at > first_response_due_at OR solved_at > resolution_due_at
    OR (first_responded_at IS NULL AND first_response_due_at < now())
    OR (solved_at IS NULL AND resolution_due_at < now())) IS TRUE
WHERE sla_policy_id IS NOT NULL;

-- A deal's amount weighted by its stage's probability, and where it came
-- from: the sales dashboard's forecast and sources.
ALTER TABLE deals ADD COLUMN weighted_amount NUMERIC(20,4);
ALTER TABLE deals ADD COLUMN lead_source TEXT;
UPDATE deals d SET weighted_amount = d.amount * (s.value->>'probability')::numeric / 100
FROM pipelines p, jsonb_array_elements(p.stages) s
WHERE p.workspace_id = d.workspace_id AND p.id = d.pipeline_id AND s.value->>'id' = d.stage_id AND d.amount IS NOT NULL;
