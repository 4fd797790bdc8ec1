-- Invitations: a user created by an admin signs in first through a one-time link.
ALTER TABLE users ADD COLUMN invite_token_hash TEXT;
CREATE UNIQUE INDEX users__invite_token_hash__key ON users (workspace_id, invite_token_hash) WHERE invite_token_hash IS NOT NULL;
