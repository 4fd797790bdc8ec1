-- Products with prices per currency, and quotes of a deal: numbered per
-- workspace and year (quote_numbers keeps each year's last number), in
-- versions, with line items and their exact totals.
CREATE TABLE products (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    owner_id     TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TEXT,
    custom       TEXT NOT NULL DEFAULT '{}',
    name         TEXT,
    sku          TEXT,
    description  TEXT,
    prices       TEXT,
    tax_percent  REAL,
    active       INTEGER,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX products_created ON products (workspace_id, created_at, id);
CREATE INDEX products_updated ON products (workspace_id, updated_at, id);
CREATE INDEX products_name ON products (workspace_id, name, id);
CREATE INDEX products_sku ON products (workspace_id, sku, id);
CREATE INDEX products_active ON products (workspace_id, active, id);
CREATE UNIQUE INDEX products__sku__key ON products (workspace_id, sku) WHERE deleted_at IS NULL AND sku IS NOT NULL;
CREATE VIRTUAL TABLE products_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
INSERT INTO products_fts (products_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO products_fts (products_fts, rank) VALUES ('automerge', 16);

CREATE TABLE quotes (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    owner_id       TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    deleted_at     TEXT,
    custom         TEXT NOT NULL DEFAULT '{}',
    number         TEXT,
    revision       INTEGER,
    name           TEXT,
    deal_id        TEXT,
    company_id     TEXT,
    contact_id     TEXT,
    currency       TEXT,
    status         TEXT,
    valid_until    TEXT,
    terms          TEXT,
    line_items     TEXT,
    subtotal       NUMERIC,
    discount_total NUMERIC,
    tax_total      NUMERIC,
    total          NUMERIC,
    sent_at        TEXT,
    previous_id    TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX quotes_created ON quotes (workspace_id, created_at, id);
CREATE INDEX quotes_updated ON quotes (workspace_id, updated_at, id);
CREATE INDEX quotes_number ON quotes (workspace_id, number, id);
CREATE INDEX quotes_deal_id ON quotes (workspace_id, deal_id, id);
CREATE INDEX quotes_company_id ON quotes (workspace_id, company_id, id);
CREATE INDEX quotes_contact_id ON quotes (workspace_id, contact_id, id);
CREATE INDEX quotes_status ON quotes (workspace_id, status, id);
CREATE INDEX quotes_valid_until ON quotes (workspace_id, valid_until, id);
CREATE UNIQUE INDEX quotes__number__key ON quotes (workspace_id, number, revision);
CREATE VIRTUAL TABLE quotes_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
INSERT INTO quotes_fts (quotes_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO quotes_fts (quotes_fts, rank) VALUES ('automerge', 16);

CREATE TABLE quote_numbers (
    workspace_id TEXT NOT NULL,
    year         INTEGER NOT NULL,
    last         INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, year)
);
