-- The tamper-evident audit log (internal/auditlog). The log is a Merkle
-- tree in the style of RFC 6962 / golang.org/x/mod/sumdb/tlog; these tables
-- are its storage. Nothing here is ever updated or deleted by art35 except
-- audit_head.size, which only grows.

-- audit_head is a single row holding the number of records in the log.
-- Every append increments it first, in the appender's transaction: on
-- PostgreSQL the row lock makes concurrent appenders wait for each other,
-- so two transactions can never both take the same index; on SQLite the
-- write lock taken at BEGIN already does that.
CREATE TABLE audit_head (
	id BIGINT PRIMARY KEY CHECK (id = 1),
	size BIGINT NOT NULL CHECK (size >= 0)
);
INSERT INTO audit_head (id, size) VALUES (1, 0);

-- audit_records holds each record's canonical encoding (leaf, the bytes
-- that are hashed into the tree) and, for queries only, copies of its main
-- fields. The leaf is the truth: "art35 audit verify" checks that the
-- copies agree with it. Envelopes appear as digests, never their content.
CREATE TABLE audit_records (
	idx BIGINT PRIMARY KEY CHECK (idx >= 0),
	kind TEXT NOT NULL,
	at TEXT NOT NULL,
	actor TEXT NOT NULL,
	case_ref TEXT NOT NULL,
	message_id TEXT NOT NULL,
	digest TEXT NOT NULL,
	leaf BYTEA NOT NULL
);
CREATE INDEX audit_records_message ON audit_records (message_id);
CREATE INDEX audit_records_case ON audit_records (case_ref);
CREATE INDEX audit_records_actor ON audit_records (actor, at);

-- audit_hashes are tlog's stored hashes: for record n, the leaf hash and
-- the hashes of every complete subtree that record n completes, at the
-- indexes tlog.StoredHashIndex gives. They make proofs cheap; verify
-- recomputes them all from the leaves.
CREATE TABLE audit_hashes (
	id BIGINT PRIMARY KEY CHECK (id >= 0),
	hash BYTEA NOT NULL
);

-- audit_checkpoints are the signed tree heads: the log's size and root
-- hash at a moment, as a note signed with the node's Ed25519 key.
CREATE TABLE audit_checkpoints (
	seq BIGINT PRIMARY KEY CHECK (seq > 0),
	size BIGINT NOT NULL CHECK (size > 0),
	root BYTEA NOT NULL,
	made_at TEXT NOT NULL,
	note TEXT NOT NULL
);
