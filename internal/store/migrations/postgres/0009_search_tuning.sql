-- SQLite's full-text indexes are tuned for bulk writes in this version;
-- PostgreSQL's GIN indexes keep their defaults. Nothing to do here.
SELECT 1;
