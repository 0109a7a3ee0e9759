-- The newest audit-log checkpoint this node has seen from each peer, kept
-- to check that the peer's next one extends it (witnessing).
CREATE TABLE witnessed_checkpoints (
	origin TEXT PRIMARY KEY,
	size BIGINT NOT NULL,
	note BYTEA NOT NULL,
	seen_at TEXT NOT NULL
);

-- Alarms: a peer presented a checkpoint that does not extend the one seen
-- before (a fork or a rewritten past), or that it could not prove.
CREATE TABLE witness_alarms (
	id TEXT PRIMARY KEY,
	origin TEXT NOT NULL,
	at TEXT NOT NULL,
	old_size BIGINT NOT NULL,
	new_size BIGINT NOT NULL,
	detail TEXT NOT NULL
);

-- Peers' cosignatures over this node's own checkpoints.
CREATE TABLE audit_cosignatures (
	size BIGINT NOT NULL,
	witness TEXT NOT NULL,
	signature TEXT NOT NULL,
	received_at TEXT NOT NULL,
	PRIMARY KEY (size, witness)
);
