-- Products with prices per currency, and quotes of a deal: numbered per
-- workspace and year (quote_numbers keeps each year's last number), in
-- versions, with line items and their exact totals.
CREATE TABLE products (
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
    sku          TEXT,
    description  TEXT,
    prices       JSONB,
    tax_percent  DOUBLE PRECISION,
    active       BOOLEAN,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX products_created ON products (workspace_id, created_at, id);
CREATE INDEX products_updated ON products (workspace_id, updated_at, id);
CREATE INDEX products_name ON products (workspace_id, name NULLS FIRST, id);
CREATE INDEX products_sku ON products (workspace_id, sku NULLS FIRST, id);
CREATE INDEX products_active ON products (workspace_id, active NULLS FIRST, id);
CREATE UNIQUE INDEX products__sku__key ON products (workspace_id, sku) WHERE deleted_at IS NULL AND sku IS NOT NULL;
CREATE INDEX products_search ON products USING GIN (search);

CREATE TABLE quotes (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    owner_id       TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    deleted_at     TIMESTAMPTZ,
    custom         JSONB NOT NULL DEFAULT '{}',
    search         TSVECTOR,
    number         TEXT,
    revision       BIGINT,
    name           TEXT,
    deal_id        TEXT,
    company_id     TEXT,
    contact_id     TEXT,
    currency       TEXT,
    status         TEXT,
    valid_until    DATE,
    terms          TEXT,
    line_items     JSONB,
    subtotal       NUMERIC(20,4),
    discount_total NUMERIC(20,4),
    tax_total      NUMERIC(20,4),
    total          NUMERIC(20,4),
    sent_at        TIMESTAMPTZ,
    previous_id    TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX quotes_created ON quotes (workspace_id, created_at, id);
CREATE INDEX quotes_updated ON quotes (workspace_id, updated_at, id);
CREATE INDEX quotes_number ON quotes (workspace_id, number NULLS FIRST, id);
CREATE INDEX quotes_deal_id ON quotes (workspace_id, deal_id NULLS FIRST, id);
CREATE INDEX quotes_company_id ON quotes (workspace_id, company_id NULLS FIRST, id);
CREATE INDEX quotes_contact_id ON quotes (workspace_id, contact_id NULLS FIRST, id);
CREATE INDEX quotes_status ON quotes (workspace_id, status NULLS FIRST, id);
CREATE INDEX quotes_valid_until ON quotes (workspace_id, valid_until NULLS FIRST, id);
CREATE UNIQUE INDEX quotes__number__key ON quotes (workspace_id, number, revision);
CREATE INDEX quotes_search ON quotes USING GIN (search);

CREATE TABLE quote_numbers (
    workspace_id TEXT NOT NULL,
    year         INTEGER NOT NULL,
    last         INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, year)
);
