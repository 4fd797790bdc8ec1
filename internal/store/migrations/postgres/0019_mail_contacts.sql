-- A workspace may make contacts of the people who write to it and are not known yet.
ALTER TABLE workspaces ADD COLUMN mail_creates_contacts BOOLEAN NOT NULL DEFAULT FALSE;
