-- Sales pipelines (ordered stages with a probability and a kind) and the
-- deals that move through them.
CREATE TABLE pipelines (
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
    stages       JSONB,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX pipelines_created ON pipelines (workspace_id, created_at, id);
CREATE INDEX pipelines_updated ON pipelines (workspace_id, updated_at, id);
CREATE INDEX pipelines_name ON pipelines (workspace_id, name NULLS FIRST, id);
CREATE INDEX pipelines_search ON pipelines USING GIN (search);

CREATE TABLE deals (
    workspace_id     TEXT NOT NULL,
    id               TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    owner_id         TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    deleted_at       TIMESTAMPTZ,
    custom           JSONB NOT NULL DEFAULT '{}',
    search           TSVECTOR,
    name             TEXT,
    amount           NUMERIC(20,4),
    currency         TEXT,
    pipeline_id      TEXT,
    stage_id         TEXT,
    status           TEXT,
    close_date       DATE,
    company_id       TEXT,
    contact_ids      JSONB,
    lost_reason      TEXT,
    stage_entered_at TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX deals_created ON deals (workspace_id, created_at, id);
CREATE INDEX deals_updated ON deals (workspace_id, updated_at, id);
CREATE INDEX deals_name ON deals (workspace_id, name NULLS FIRST, id);
CREATE INDEX deals_pipeline_id ON deals (workspace_id, pipeline_id NULLS FIRST, id);
CREATE INDEX deals_stage_id ON deals (workspace_id, stage_id NULLS FIRST, id);
CREATE INDEX deals_status ON deals (workspace_id, status NULLS FIRST, id);
CREATE INDEX deals_close_date ON deals (workspace_id, close_date NULLS FIRST, id);
CREATE INDEX deals_company_id ON deals (workspace_id, company_id NULLS FIRST, id);
CREATE INDEX deals_search ON deals USING GIN (search);
