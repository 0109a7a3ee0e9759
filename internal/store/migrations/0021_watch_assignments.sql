-- Which provider a realtime-traffic watch this node received is passed
-- to: the provider API answers a provider's token only for the watches
-- addressed to it (docs/watch.md, "Provider API").
CREATE TABLE watch_assignments (
	request_id TEXT NOT NULL REFERENCES requests (id),
	provider TEXT NOT NULL,
	assigned_by TEXT NOT NULL,
	assigned_at TEXT NOT NULL,
	PRIMARY KEY (request_id, provider)
);
