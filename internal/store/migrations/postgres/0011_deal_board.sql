-- Indexes of the live deals that hold every column a board or a forecast
-- reads, so that neither touches the table: a kanban column's page (a
-- pipeline's stage, newest change first) and its counts and sums
-- (currency, amount), and a forecast (a pipeline's open deals by close
-- date, by month or owner, currency and stage).
CREATE INDEX deals_board ON deals (workspace_id, pipeline_id, stage_id, updated_at, id, currency, amount) WHERE deleted_at IS NULL;
CREATE INDEX deals_forecast ON deals (workspace_id, pipeline_id, status, close_date, currency, stage_id, amount, owner_id) WHERE deleted_at IS NULL;
