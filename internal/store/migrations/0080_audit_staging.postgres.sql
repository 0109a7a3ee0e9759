-- Staged audit records (internal/auditlog, sequencing in batches).
--
-- A business transaction no longer appends to the Merkle log itself: it
-- stages its record here (one insert, no shared row touched, so concurrent
-- transactions no longer wait on the audit_head row lock), and commits.
-- One sequencer moves staged records into audit_records/audit_hashes in
-- batches, in id order, and signs a checkpoint of the log per batch (kept
-- in audit_head: the log's current tree head). A record is never lost
-- between the two: a staged row is deleted only in the transaction that
-- sequences it.
CREATE TABLE audit_staged (
	id BIGSERIAL PRIMARY KEY,
	leaf BYTEA NOT NULL
);

-- The signed tree head of the last batch: the root of the first size
-- records and the signed note (NULL until the first signed batch).
ALTER TABLE audit_head ADD COLUMN root BYTEA;
ALTER TABLE audit_head ADD COLUMN made_at TEXT;
ALTER TABLE audit_head ADD COLUMN note TEXT;
