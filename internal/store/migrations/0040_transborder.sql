-- Trans-border access to stored data without the other party's
-- authorisation (Budapest Art. 32): what was accessed, on which ground
-- (publicly available, Art. 32(a); lawful and voluntary consent of the
-- person with lawful authority to disclose, Art. 32(b)), when, by whom,
-- and the optional notice to the other party.
CREATE TABLE transborder_access (
	id TEXT PRIMARY KEY,
	ground TEXT NOT NULL,
	party TEXT NOT NULL,
	what TEXT NOT NULL,
	source TEXT NOT NULL,
	consent_by TEXT NOT NULL,
	consent_authority TEXT NOT NULL,
	accessed_at TEXT NOT NULL,
	recorded_by TEXT NOT NULL,
	case_ref TEXT NOT NULL,
	notice TEXT NOT NULL,
	recorded_at TEXT NOT NULL
);
