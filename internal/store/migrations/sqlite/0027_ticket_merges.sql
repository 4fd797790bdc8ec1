-- A queue's own mailbox (mail to it, read by IMAP or received, opens
-- tickets in the queue; replies go out through the mail account with that
-- address).
ALTER TABLE queues ADD COLUMN mailbox TEXT;
CREATE UNIQUE INDEX queues__mailbox__key ON queues (workspace_id, mailbox) WHERE deleted_at IS NULL;

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
    replying     INTEGER NOT NULL DEFAULT 0,
    seen_at      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, ticket_id, user_id)
);
