-- Notifications to people on the roster (escalations, reminders) and the
-- result of each delivery attempt, one row per person and channel. A row
-- stays "failed" with a next attempt time until it is sent or given up, so
-- a mail server that is down for an hour does not lose an escalation.
CREATE TABLE notifications (
	id TEXT PRIMARY KEY,
	request_id TEXT NOT NULL,
	action TEXT NOT NULL,
	person TEXT NOT NULL,
	role TEXT NOT NULL,
	channel TEXT NOT NULL,
	address TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	status TEXT NOT NULL,
	attempts BIGINT NOT NULL,
	last_error TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	next_at TEXT NOT NULL
);
CREATE INDEX notifications_due ON notifications (status, next_at);
CREATE INDEX notifications_request ON notifications (request_id, created_at);

-- Clock actions already performed, one row per action: the clock runner
-- inserts the key in the transaction that records the action's evidence,
-- so an action is performed once even when two runners race or the node
-- restarts, and also for actions that have no note kind (overdue,
-- switch-route).
CREATE TABLE clock_actions (
	action_key TEXT PRIMARY KEY,
	request_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	done_at TEXT NOT NULL
);
