-- Ping tests (SPEC section 8). A campaign is one round of pings started on
-- this node; each ping to one point of contact is a row of pings_out. The
-- machine receipt is not copied here: it is the outbound envelope's
-- receipt (outbound_envelopes.message_id = pings_out.message_id), so there
-- is one source of truth for "reachable".
CREATE TABLE ping_campaigns (
	id TEXT PRIMARY KEY,
	started_at TEXT NOT NULL,
	started_by TEXT NOT NULL,
	window_seconds BIGINT NOT NULL
);

CREATE TABLE pings_out (
	id TEXT PRIMARY KEY,
	campaign_id TEXT NOT NULL REFERENCES ping_campaigns (id),
	party TEXT NOT NULL,
	authority TEXT NOT NULL,
	message_id TEXT NOT NULL,
	code TEXT NOT NULL,
	sent_at TEXT NOT NULL,
	deadline TEXT NOT NULL,
	office_hours TEXT NOT NULL CHECK (office_hours IN ('inside', 'outside', 'unknown')),
	state TEXT NOT NULL CHECK (state IN ('waiting', 'passed', 'late', 'failed')),
	answered_at TEXT NOT NULL DEFAULT '',
	answered_by TEXT NOT NULL DEFAULT '',
	answer_message_id TEXT NOT NULL DEFAULT '',
	escalated_at TEXT NOT NULL DEFAULT '',
	escalated_to TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pings_out_due ON pings_out (state, deadline);
CREATE INDEX pings_out_sent ON pings_out (sent_at);

-- Challenges this node received, raised to the person on duty until one
-- answers; after the window they go to the backup contact.
CREATE TABLE pings_in (
	id TEXT PRIMARY KEY,
	sender TEXT NOT NULL,
	message_id TEXT NOT NULL,
	code TEXT NOT NULL,
	received_at TEXT NOT NULL,
	deadline TEXT NOT NULL,
	raised_to TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending', 'answered')),
	answered_at TEXT NOT NULL DEFAULT '',
	answered_by TEXT NOT NULL DEFAULT '',
	escalated_at TEXT NOT NULL DEFAULT '',
	escalated_to TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pings_in_state ON pings_in (state, deadline);

-- Events of realtime-traffic watches (Art. 33) as this node saw them: as
-- the watched side that received them from its provider ('source'), as
-- the requester ('requester') or as the country where the address is
-- ('location'). hops is the JSON list of timestamped hops the event went
-- through, to show its end-to-end and per-hop time.
CREATE TABLE watch_events (
	id TEXT PRIMARY KEY,
	request_id TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('source', 'requester', 'location')),
	peer TEXT NOT NULL,
	address TEXT NOT NULL,
	port BIGINT NOT NULL,
	observed_at TEXT NOT NULL,
	country TEXT NOT NULL,
	operator TEXT NOT NULL,
	basis TEXT NOT NULL,
	status TEXT NOT NULL,
	note TEXT NOT NULL,
	hops BYTEA NOT NULL,
	stored_at TEXT NOT NULL,
	-- the requester's authority, and the subscriber location the address's
	-- operator answered (empty until it does)
	requester TEXT NOT NULL DEFAULT '',
	location TEXT NOT NULL DEFAULT '',
	located_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX watch_events_orders ON watch_events (role, operator, location);
CREATE INDEX watch_events_request ON watch_events (request_id, observed_at);
