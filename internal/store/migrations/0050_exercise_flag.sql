-- Whether a request was an exercise (a drill), copied from the exercise
-- flag of the envelope that carried it when it was sent or received. The
-- envelope's raw bytes may be purged later (retention); this column keeps
-- drills out of the statistics of real work for good.
ALTER TABLE requests ADD COLUMN exercise BIGINT NOT NULL DEFAULT 0;
