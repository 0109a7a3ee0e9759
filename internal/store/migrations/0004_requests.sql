-- Cooperation requests this node sent (direction 'out') or received ('in'),
-- with their current state. The document is the request JSON exactly as
-- sent or received.
CREATE TABLE requests (
	id TEXT PRIMARY KEY,
	direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
	type TEXT NOT NULL,
	requesting_party TEXT NOT NULL,
	requested_party TEXT NOT NULL,
	peer TEXT NOT NULL,
	priority TEXT NOT NULL,
	state TEXT NOT NULL,
	sender_ref TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	message_id TEXT NOT NULL,
	document BYTEA NOT NULL
);
CREATE INDEX requests_state ON requests (state, updated_at);

-- Every step of every request, in order: the evidences of SPEC section 6.
CREATE TABLE evidences (
	request_id TEXT NOT NULL REFERENCES requests (id),
	seq BIGINT NOT NULL,
	kind TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	at TEXT NOT NULL,
	by_name TEXT NOT NULL,
	actor TEXT NOT NULL,
	message_id TEXT NOT NULL,
	document BYTEA NOT NULL,
	PRIMARY KEY (request_id, seq)
);
