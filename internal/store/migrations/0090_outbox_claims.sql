-- Several replicas of one node on one PostgreSQL database (issue 15):
-- each delivery worker claims the due envelopes it will send, with
-- FOR UPDATE SKIP LOCKED, so that an envelope is sent by one replica.
-- claimed_by names the replica; lease_until is when the claim ends. The
-- claim also pushes next_attempt_at to lease_until, so that an envelope
-- whose replica died is due again when the lease expires, and a failed
-- attempt's back-off simply replaces it. On SQLite (one process) the
-- columns stay empty.
ALTER TABLE outbound_envelopes ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbound_envelopes ADD COLUMN lease_until TEXT NOT NULL DEFAULT '';
