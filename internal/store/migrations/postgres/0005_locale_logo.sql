-- A user may choose the interface's language and theme; a workspace may have a logo.
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN theme TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN logo BYTEA;
ALTER TABLE workspaces ADD COLUMN logo_type TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN logo_version INTEGER NOT NULL DEFAULT 0;
