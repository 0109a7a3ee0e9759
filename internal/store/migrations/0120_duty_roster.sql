-- The duty roster of this node (issue 16, "the roster drives the alarms"):
-- who of the authority's people is on duty in which weekly hours, in the
-- authority's time zone. The directory names the people and how to reach
-- them; this table, edited on the portal's roster page, says when each is
-- on duty, and notifications and escalations go to whoever is on duty at
-- that hour (package notify, Roster.OnDuty).
CREATE TABLE duty_slots (
	id TEXT PRIMARY KEY,
	authority TEXT NOT NULL,
	person TEXT NOT NULL,
	role TEXT NOT NULL,
	hours TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX duty_slots_authority ON duty_slots (authority);
