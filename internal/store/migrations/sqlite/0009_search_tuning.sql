-- The full-text indexes take bulk writes in larger steps: a transaction's
-- entries are held in memory up to 16 MB (the default, 1 MB, made an
-- import of 5,000 rows write several small segments a batch), and FTS5
-- merges segments sixteen at a time instead of four. Fewer merges while
-- writing; the background merge after a bulk write (store.MergeSearchLater)
-- leaves the index whole for searching. Custom objects' tables get the same
-- settings when they are made (schema.objectTableDDL).
INSERT INTO companies_fts (companies_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO companies_fts (companies_fts, rank) VALUES ('automerge', 16);
INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('automerge', 16);
INSERT INTO webhooks_fts (webhooks_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO webhooks_fts (webhooks_fts, rank) VALUES ('automerge', 16);
INSERT INTO activities_fts (activities_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO activities_fts (activities_fts, rank) VALUES ('automerge', 16);
