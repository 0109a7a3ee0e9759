-- Envelopes of one stream (the evidences answering one request: same
-- recipient, same in-reply-to) are delivered in the order they were
-- queued; a later one never overtakes an earlier one still waiting. The
-- order is a counter, not a time: two envelopes may share a timestamp.
CREATE TABLE outbox_counter (
	id BIGINT PRIMARY KEY CHECK (id = 1),
	value BIGINT NOT NULL
);
INSERT INTO outbox_counter (id, value) VALUES (1, 0);
ALTER TABLE outbound_envelopes ADD COLUMN stream TEXT NOT NULL DEFAULT '';
ALTER TABLE outbound_envelopes ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX outbound_envelopes_stream ON outbound_envelopes (recipient, stream, state, seq);
