-- Marketing mail (offers, newsletters) needs the contact's consent.
ALTER TABLE emails ADD COLUMN marketing INTEGER NOT NULL DEFAULT 0;
