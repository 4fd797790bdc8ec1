-- Kept report answers: an answer that took long to work out is kept,
-- with the time it was worked out, and served while it is fresh; a job
-- works it out again when a view finds it ageing.
CREATE TABLE report_results (
    workspace_id TEXT NOT NULL,
    key          TEXT NOT NULL,
    computed_at  TIMESTAMPTZ NOT NULL,
    millis       INTEGER NOT NULL,
    result       TEXT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX report_results_computed ON report_results (workspace_id, computed_at);
