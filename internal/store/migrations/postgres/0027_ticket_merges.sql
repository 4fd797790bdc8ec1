-- Tickets merged into others, by number, so that mail naming a merged
-- ticket ("[#12]") reaches the one it went into; and the agents who have a
-- ticket open now, for the collision notice.
CREATE TABLE ticket_merges (
    workspace_id TEXT NOT NULL,
    number       INTEGER NOT NULL,
    ticket_id    TEXT NOT NULL,
    into_id      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, number)
);

CREATE TABLE ticket_viewers (
    workspace_id TEXT NOT NULL,
    ticket_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    replying     BOOLEAN NOT NULL DEFAULT FALSE,
    seen_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, ticket_id, user_id)
);
