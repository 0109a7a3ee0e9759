-- The offence classes a case concerns (Budapest Convention Arts. 2-11 and
-- the UN Convention against Cybercrime of 2024), set by a person on either
-- side, so that statistics count cases by class across countries alike.
CREATE TABLE case_offences (
	request_id TEXT NOT NULL REFERENCES requests (id),
	class TEXT NOT NULL,
	set_at TEXT NOT NULL,
	set_by TEXT NOT NULL,
	PRIMARY KEY (request_id, class)
);
