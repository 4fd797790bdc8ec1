-- A saved view may choose its list's columns.
ALTER TABLE views ADD COLUMN columns TEXT NOT NULL DEFAULT '';
