-- Mail accounts: a workspace's shared mailboxes (user_id empty) and the
-- users' own, each with an SMTP server to send through and, optionally,
-- an IMAP mailbox that Rapport reads. Passwords are sealed (AES-GCM).
CREATE TABLE mail_accounts (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    user_id        TEXT NOT NULL DEFAULT '',
    name           TEXT NOT NULL,
    address        TEXT NOT NULL,
    smtp_host      TEXT NOT NULL DEFAULT '',
    smtp_port      INTEGER NOT NULL DEFAULT 0,
    smtp_security  TEXT NOT NULL DEFAULT 'starttls',
    smtp_username  TEXT NOT NULL DEFAULT '',
    smtp_password  TEXT NOT NULL DEFAULT '',
    imap_host      TEXT NOT NULL DEFAULT '',
    imap_port      INTEGER NOT NULL DEFAULT 0,
    imap_security  TEXT NOT NULL DEFAULT 'tls',
    imap_username  TEXT NOT NULL DEFAULT '',
    imap_password  TEXT NOT NULL DEFAULT '',
    imap_folder    TEXT NOT NULL DEFAULT 'INBOX',
    private        INTEGER NOT NULL DEFAULT 0,
    per_minute     INTEGER NOT NULL DEFAULT 60,
    -- What the last test found (empty: it worked), and when.
    tested_at      TEXT,
    test_error     TEXT NOT NULL DEFAULT '',
    -- IMAP reading: the folder's UIDVALIDITY and the highest UID filed;
    -- the node reading it holds a lease.
    imap_validity  INTEGER NOT NULL DEFAULT 0,
    imap_last_uid  INTEGER NOT NULL DEFAULT 0,
    imap_polled_at TEXT,
    imap_error     TEXT NOT NULL DEFAULT '',
    lease_by       TEXT NOT NULL DEFAULT '',
    lease_until    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX mail_accounts_user ON mail_accounts (workspace_id, user_id);

-- How many messages each account sent in a minute, for its rate limit.
CREATE TABLE mail_rate (
    workspace_id TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    minute       TEXT NOT NULL,
    sent         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, account_id, minute)
);

-- The key that seals a workspace's secrets, unless RAPPORT_SECRET_KEY
-- gives one.
CREATE TABLE secret_keys (
    workspace_id TEXT NOT NULL,
    key          BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id)
);

-- The account an email went through or was read from; private mail
-- keeps who wrote to whom and when, not what.
ALTER TABLE emails ADD COLUMN account_id TEXT;
ALTER TABLE emails ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
CREATE INDEX emails_account_id ON emails (workspace_id, account_id, id);
-- A reply without thread headers is matched by its subject.
CREATE INDEX emails_subject ON emails (workspace_id, subject, id);
