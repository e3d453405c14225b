-- A lease that ran out (its worker was killed or lost the database) is counted apart from the
-- attempts: a crash says nothing about the track, so it must not use up its attempts.
ALTER TABLE jobs ADD COLUMN lost_leases INT NOT NULL DEFAULT 0;
