-- A request's id is the requesting party's: two parties may use the same
-- id, and neither may take the other's (docs/protocol.md, "Rule book").
-- ref is the id as the requesting party wrote it; (requesting_party, ref)
-- is the request's identity. id stays the row's key on this node: it is
-- ref itself unless another party's request already holds that key here,
-- and then "PARTY~ref" ("~" never occurs in a request id).
ALTER TABLE requests ADD COLUMN ref TEXT NOT NULL DEFAULT '';
UPDATE requests SET ref = id;
CREATE UNIQUE INDEX requests_party_ref ON requests (requesting_party, ref);
CREATE INDEX requests_message ON requests (message_id);

-- Emergency confirmations (Protocol Art. 9, SPEC story 7): the call-back a
-- receiver made to the number the directory holds for the requesting
-- authority before executing an emergency request.
CREATE TABLE request_callbacks (
	request_id TEXT NOT NULL REFERENCES requests (id),
	seq BIGINT NOT NULL,
	called_by TEXT NOT NULL,
	called_at TEXT NOT NULL,
	number TEXT NOT NULL,
	authority TEXT NOT NULL,
	outcome TEXT NOT NULL,
	recorded_at TEXT NOT NULL,
	PRIMARY KEY (request_id, seq)
);
