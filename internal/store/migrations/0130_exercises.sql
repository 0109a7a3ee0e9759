-- Exercises (desktop drills) the secretariat opened, as this node knows
-- them: on the secretariat's node the ones it runs (role 'control'), on a
-- participant's node the ones it takes part in (role 'participant'). The
-- signed announcements are kept as received, so the opening and closing
-- can be shown to anyone later (docs/exercises.md).
CREATE TABLE exercises (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('control', 'participant')),
	starts_at TEXT NOT NULL,
	ends_at TEXT NOT NULL,
	participants TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
	opened_at TEXT NOT NULL,
	closed_at TEXT NOT NULL DEFAULT '',
	opening BYTEA NOT NULL,
	closing BYTEA
);

-- Every envelope of an exercise this node sent or received, by message id:
-- the envelope header carries only the exercise flag, this table names
-- the exercise (requests, evidences and pings join it by message id).
CREATE TABLE exercise_messages (
	message_id TEXT PRIMARY KEY,
	exercise_id TEXT NOT NULL REFERENCES exercises (id),
	direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	kind TEXT NOT NULL,
	subkind TEXT NOT NULL,
	peer TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX exercise_messages_exercise ON exercise_messages (exercise_id);

-- When a case was archived (its exercise closed): archived cases leave
-- the inbox, the open lists and the clocks, and stay readable.
ALTER TABLE requests ADD COLUMN archived_at TEXT NOT NULL DEFAULT '';
