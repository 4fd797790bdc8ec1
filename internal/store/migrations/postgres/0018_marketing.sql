-- Marketing mail (offers, newsletters) needs the contact's consent.
ALTER TABLE emails ADD COLUMN marketing BOOLEAN NOT NULL DEFAULT FALSE;
