-- Reports and dashboards: saved questions about any object's records,
-- drawn as a table or a chart, shared with roles and users, mailed on a
-- schedule; a dashboard is a grid of them over one period. A ticket
-- remembers whether it missed an SLA target, for the service dashboard.
CREATE TABLE reports (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    owner_id       TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    deleted_at     TEXT,
    custom         TEXT NOT NULL DEFAULT '{}',
    name           TEXT,
    description    TEXT,
    object         TEXT,
    filter         TEXT,
    group_by       TEXT,
    measures       TEXT,
    order_by       TEXT,
    row_limit      INTEGER,
    period_field   TEXT,
    period_range   TEXT,
    compare        INTEGER,
    chart          TEXT,
    share_roles    TEXT,
    share_user_ids TEXT,
    schedule       TEXT,
    email_to       TEXT,
    last_sent_at   TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX reports_created ON reports (workspace_id, created_at, id);
CREATE INDEX reports_updated ON reports (workspace_id, updated_at, id);
CREATE INDEX reports_name ON reports (workspace_id, name, id);
CREATE VIRTUAL TABLE reports_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');

CREATE TABLE dashboards (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    owner_id       TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    deleted_at     TEXT,
    custom         TEXT NOT NULL DEFAULT '{}',
    name           TEXT,
    description    TEXT,
    key            TEXT,
    report_ids     TEXT,
    period_range   TEXT,
    share_roles    TEXT,
    share_user_ids TEXT,
    schedule       TEXT,
    email_to       TEXT,
    last_sent_at   TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX dashboards_created ON dashboards (workspace_id, created_at, id);
CREATE INDEX dashboards_updated ON dashboards (workspace_id, updated_at, id);
CREATE INDEX dashboards_name ON dashboards (workspace_id, name, id);
CREATE UNIQUE INDEX dashboards__key__key ON dashboards (workspace_id, key) WHERE deleted_at IS NULL;
CREATE INDEX dashboards_key ON dashboards (workspace_id, key, id);
CREATE VIRTUAL TABLE dashboards_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');

ALTER TABLE tickets ADD COLUMN sla_breached INTEGER;
UPDATE tickets SET sla_breached = CASE
    WHEN first_responded_at > first_response_due_at OR solved_at > resolution_due_at
      OR (first_responded_at IS NULL AND first_response_due_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      OR (solved_at IS NULL AND resolution_due_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) THEN 1 ELSE 0 END
WHERE sla_policy_id IS NOT NULL;

-- A deal's amount weighted by its stage's probability, and where it came
-- from: the sales dashboard's forecast and sources.
ALTER TABLE deals ADD COLUMN weighted_amount NUMERIC;
ALTER TABLE deals ADD COLUMN lead_source TEXT;
UPDATE deals SET weighted_amount = amount * (
    SELECT json_extract(s.value, '$.probability') FROM pipelines p, json_each(p.stages) s
    WHERE p.workspace_id = deals.workspace_id AND p.id = deals.pipeline_id AND json_extract(s.value, '$.id') = deals.stage_id
) / 100.0 WHERE amount IS NOT NULL;
