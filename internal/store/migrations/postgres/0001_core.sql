-- Rapport core schema (PostgreSQL). Every table leads its keys with workspace_id.
CREATE TABLE workspaces (
    id               TEXT NOT NULL PRIMARY KEY,
    name             TEXT NOT NULL,
    default_currency TEXT NOT NULL DEFAULT 'EUR',
    time_zone        TEXT NOT NULL DEFAULT 'UTC',
    setup_token_hash TEXT,
    schema_version   INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id),
    id            TEXT NOT NULL,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX users__email__key ON users (workspace_id, email);

CREATE TABLE sessions (
    workspace_id TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workspace_id, token_hash),
    FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (workspace_id, user_id);

CREATE TABLE api_keys (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX api_keys__token_hash__key ON api_keys (workspace_id, token_hash);

CREATE TABLE login_attempts (
    workspace_id TEXT NOT NULL,
    subject      TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_subject ON login_attempts (workspace_id, subject, at);

CREATE TABLE objects (
    workspace_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    label        TEXT NOT NULL,
    singular     TEXT NOT NULL,
    table_name   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE fields (
    workspace_id TEXT NOT NULL,
    object       TEXT NOT NULL,
    name         TEXT NOT NULL,
    label        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    required     BOOLEAN NOT NULL DEFAULT FALSE,
    is_unique    BOOLEAN NOT NULL DEFAULT FALSE,
    indexed      BOOLEAN NOT NULL DEFAULT FALSE,
    options      JSONB NOT NULL DEFAULT '[]',
    target       TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, object, name)
);

CREATE TABLE events (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    actor_id     TEXT,
    object       TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    data         JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX events_record ON events (workspace_id, object, record_id, id);

CREATE TABLE jobs (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    unique_key   TEXT,
    payload      TEXT NOT NULL DEFAULT '{}', -- kept byte for byte (webhook bodies are signed)
    state        TEXT NOT NULL DEFAULT 'available',
    attempt      INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    run_at       TIMESTAMPTZ NOT NULL,
    locked_by    TEXT,
    locked_until TIMESTAMPTZ,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX jobs__unique_key__key ON jobs (workspace_id, unique_key) WHERE unique_key IS NOT NULL;
CREATE INDEX jobs_ready ON jobs (state, run_at);

CREATE TABLE webhook_deliveries (
    workspace_id  TEXT NOT NULL,
    id            TEXT NOT NULL,
    webhook_id    TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    event_type    TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    status_code   INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    response_body TEXT NOT NULL DEFAULT '',
    duration_ms   INTEGER NOT NULL DEFAULT 0,
    at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (workspace_id, webhook_id, id);

-- Record tables: the shape every object table shares (custom objects get the
-- same shape at run time), then the built-in columns.
CREATE TABLE companies (
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
    domain         TEXT,
    industry       TEXT,
    employees      BIGINT,
    annual_revenue NUMERIC(20,4),
    phone          TEXT,
    address        JSONB,
    tags           JSONB,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX companies_created ON companies (workspace_id, created_at, id);
CREATE INDEX companies_updated ON companies (workspace_id, updated_at, id);
CREATE INDEX companies_name ON companies (workspace_id, name NULLS FIRST, id);
CREATE INDEX companies_domain ON companies (workspace_id, domain NULLS FIRST, id);
CREATE INDEX companies_search ON companies USING GIN (search);

CREATE TABLE contacts (
    workspace_id    TEXT NOT NULL,
    id              TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    owner_id        TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    deleted_at      TIMESTAMPTZ,
    custom          JSONB NOT NULL DEFAULT '{}',
    search          TSVECTOR,
    first_name      TEXT,
    last_name       TEXT,
    email           TEXT,
    phone           TEXT,
    title           TEXT,
    company_id      TEXT,
    lifecycle_stage TEXT,
    lead_source     TEXT,
    score           BIGINT NOT NULL DEFAULT 0,
    tags            JSONB,
    address         JSONB,
    consent         JSONB,
    do_not_contact  BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX contacts_created ON contacts (workspace_id, created_at, id);
CREATE INDEX contacts_updated ON contacts (workspace_id, updated_at, id);
CREATE UNIQUE INDEX contacts__email__key ON contacts (workspace_id, email) WHERE deleted_at IS NULL AND email IS NOT NULL;
CREATE INDEX contacts_last_name ON contacts (workspace_id, last_name NULLS FIRST, id);
CREATE INDEX contacts_company ON contacts (workspace_id, company_id NULLS FIRST, id);
CREATE INDEX contacts_stage ON contacts (workspace_id, lifecycle_stage NULLS FIRST, created_at, id);
CREATE INDEX contacts_score ON contacts (workspace_id, score, id);
CREATE INDEX contacts_search ON contacts USING GIN (search);

CREATE TABLE webhooks (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TIMESTAMPTZ,
    custom       JSONB NOT NULL DEFAULT '{}',
    search       TSVECTOR,
    url          TEXT,
    events       JSONB,
    secret       TEXT,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX webhooks_created ON webhooks (workspace_id, created_at, id);
CREATE INDEX webhooks_updated ON webhooks (workspace_id, updated_at, id);
CREATE INDEX webhooks_search ON webhooks USING GIN (search);
