-- One track per content: content_sha256 is the sha256 of a track's bytes and unique, so that two
-- API processes storing the same bytes at the same instant cannot both insert a track (the
-- second insert fails and is answered as a duplicate). Copies stored before this constraint keep
-- NULL here (their first copy holds the hash), so the migration never fails on old duplicates.
ALTER TABLE tracks ADD COLUMN content_sha256 VARCHAR(64);
UPDATE tracks SET content_sha256 = sha256 WHERE NOT EXISTS (SELECT 1 FROM tracks o
  WHERE o.sha256 = tracks.sha256 AND (o.created_at < tracks.created_at
    OR (o.created_at = tracks.created_at AND o.id < tracks.id)));
CREATE UNIQUE INDEX tracks_content_sha256 ON tracks (content_sha256);
