-- Envelopes this node accepted. The message id and the sender's business
-- idempotency key are each unique: a duplicate is answered with the stored
-- receipt and never stored twice.
CREATE TABLE inbound_envelopes (
	message_id TEXT PRIMARY KEY,
	sender TEXT NOT NULL,
	recipient TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	kind TEXT NOT NULL,
	subkind TEXT NOT NULL,
	case_ref TEXT NOT NULL,
	digest TEXT NOT NULL,
	raw BYTEA NOT NULL,
	body BYTEA NOT NULL,
	receipt BYTEA NOT NULL,
	via TEXT NOT NULL,
	received_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	UNIQUE (sender, idempotency_key)
);
CREATE INDEX inbound_envelopes_received ON inbound_envelopes (received_at);

-- Envelopes waiting for delivery or delivered. A row is written in the same
-- transaction as the business change that caused it (the outbox pattern),
-- so a crash never leaves a change without its message or the reverse.
CREATE TABLE outbound_envelopes (
	message_id TEXT PRIMARY KEY,
	recipient TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	kind TEXT NOT NULL,
	subkind TEXT NOT NULL,
	emergency BIGINT NOT NULL DEFAULT 0,
	raw BYTEA NOT NULL,
	created_at TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'failed')),
	attempts BIGINT NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	last_attempt_at TEXT NOT NULL DEFAULT '',
	last_error TEXT NOT NULL DEFAULT '',
	delivered_at TEXT NOT NULL DEFAULT '',
	receipt BYTEA,
	UNIQUE (recipient, idempotency_key)
);
CREATE INDEX outbound_envelopes_due ON outbound_envelopes (state, next_attempt_at);

-- Envelopes the inbox refused, with the claims it could read: a forged or
-- replayed envelope leaves a trace even though it is not stored.
CREATE TABLE inbox_rejections (
	id TEXT PRIMARY KEY,
	at TEXT NOT NULL,
	code TEXT NOT NULL,
	message TEXT NOT NULL,
	via TEXT NOT NULL,
	message_id TEXT NOT NULL,
	sender TEXT NOT NULL,
	recipient TEXT NOT NULL,
	size BIGINT NOT NULL
);
CREATE INDEX inbox_rejections_at ON inbox_rejections (at);
