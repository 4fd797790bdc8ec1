-- Mail received by the SMTP receiver, kept as it came until a job has
-- read it into an email (and kept after, for a second look).
CREATE TABLE inbound_messages (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    mail_from    TEXT NOT NULL,
    rcpt_to      TEXT NOT NULL,
    raw          BLOB NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
