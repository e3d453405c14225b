-- Uploads look up an identical earlier upload by content hash.
CREATE INDEX tracks_sha256 ON tracks (sha256);
-- Titles are bounded at 200 characters (code points) by the API. H2 counts UTF-16 units, so 200
-- emoji need 400; room for that in both databases.
ALTER TABLE tracks ALTER COLUMN title SET DATA TYPE VARCHAR(800);
ALTER TABLE tracks ALTER COLUMN artist SET DATA TYPE VARCHAR(800);
ALTER TABLE tracks ALTER COLUMN album SET DATA TYPE VARCHAR(800);
