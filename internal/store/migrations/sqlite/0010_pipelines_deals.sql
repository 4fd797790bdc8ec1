-- Sales pipelines (ordered stages with a probability and a kind) and the
-- deals that move through them.
CREATE TABLE pipelines (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TEXT,
    custom       TEXT NOT NULL DEFAULT '{}',
    name         TEXT,
    stages       TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX pipelines_created ON pipelines (workspace_id, created_at, id);
CREATE INDEX pipelines_updated ON pipelines (workspace_id, updated_at, id);
CREATE INDEX pipelines_name ON pipelines (workspace_id, name, id);
CREATE VIRTUAL TABLE pipelines_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
INSERT INTO pipelines_fts (pipelines_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO pipelines_fts (pipelines_fts, rank) VALUES ('automerge', 16);

CREATE TABLE deals (
    workspace_id     TEXT NOT NULL,
    id               TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    owner_id         TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    deleted_at       TEXT,
    custom           TEXT NOT NULL DEFAULT '{}',
    name             TEXT,
    amount           NUMERIC,
    currency         TEXT,
    pipeline_id      TEXT,
    stage_id         TEXT,
    status           TEXT,
    close_date       TEXT,
    company_id       TEXT,
    contact_ids      TEXT,
    lost_reason      TEXT,
    stage_entered_at TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX deals_created ON deals (workspace_id, created_at, id);
CREATE INDEX deals_updated ON deals (workspace_id, updated_at, id);
CREATE INDEX deals_name ON deals (workspace_id, name, id);
CREATE INDEX deals_pipeline_id ON deals (workspace_id, pipeline_id, id);
CREATE INDEX deals_stage_id ON deals (workspace_id, stage_id, id);
CREATE INDEX deals_status ON deals (workspace_id, status, id);
CREATE INDEX deals_close_date ON deals (workspace_id, close_date, id);
CREATE INDEX deals_company_id ON deals (workspace_id, company_id, id);
CREATE VIRTUAL TABLE deals_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
INSERT INTO deals_fts (deals_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO deals_fts (deals_fts, rank) VALUES ('automerge', 16);
