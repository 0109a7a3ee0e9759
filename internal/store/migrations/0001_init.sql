-- Node facts that are not configuration: the party and authority this
-- database belongs to, so a node started with the wrong data folder notices.
CREATE TABLE node_meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- Every signed directory snapshot this node accepted, kept forever: the
-- directory's history ("who was the contact point on that date?").
CREATE TABLE directory_snapshots (
	serial BIGINT PRIMARY KEY CHECK (serial > 0),
	issued_at TEXT NOT NULL,
	valid_until TEXT NOT NULL,
	digest TEXT NOT NULL UNIQUE,
	signed BYTEA NOT NULL,
	accepted_at TEXT NOT NULL
);
