-- Authorisations to pass data received from another party on to a third
-- party (Protocol Art. 14(10)): without a row here, forwarding is refused.
CREATE TABLE transfer_authorisations (
	request_id TEXT NOT NULL REFERENCES requests (id),
	to_party TEXT NOT NULL,
	purpose TEXT NOT NULL,
	granted_at TEXT NOT NULL,
	granted_by TEXT NOT NULL,
	message_id TEXT NOT NULL,
	PRIMARY KEY (request_id, to_party)
);

-- When the personal data of a received item was purged (retention).
ALTER TABLE inbound_envelopes ADD COLUMN purged_at TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN purged_at TEXT NOT NULL DEFAULT '';
