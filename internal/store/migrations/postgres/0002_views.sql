-- Saved list views: a filter, a search and an order under a name, personal or shared.
CREATE TABLE views (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    object       TEXT NOT NULL,
    name         TEXT NOT NULL,
    owner_id     TEXT NOT NULL,
    shared       BOOLEAN NOT NULL DEFAULT FALSE,
    filter       TEXT NOT NULL DEFAULT '',
    q            TEXT NOT NULL DEFAULT '',
    order_by     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX views_object ON views (workspace_id, object, name);
