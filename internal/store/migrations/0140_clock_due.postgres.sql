-- When each case's clocks next need the clock runner (internal/clockrun),
-- so that a tick reads only the cases due by now (indexed), not every open
-- case. clock_due holds the next due time the runner computed for a case
-- (store.FormatTime; no row: nothing ahead) and is written by the runner
-- only. clock_marks says "this case changed, look again": triggers append a
-- row wherever a case's evidences change (and when a request is archived).
-- Appending never updates a shared row, so business transactions neither
-- wait for each other nor deadlock on it; the runner deletes exactly the
-- marks it read before loading the case, so a change that lands while it
-- computes leaves its mark for the next tick.
CREATE TABLE clock_due (
	request_id TEXT PRIMARY KEY,
	due_at TEXT NOT NULL
);
CREATE INDEX clock_due_at ON clock_due (due_at);

CREATE TABLE clock_marks (
	id BIGSERIAL PRIMARY KEY,
	request_id TEXT NOT NULL
);
CREATE INDEX clock_marks_request ON clock_marks (request_id);

CREATE FUNCTION clock_marks_evidence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO clock_marks (request_id) VALUES (NEW.request_id);
	RETURN NULL;
END;
$$;
CREATE TRIGGER clock_marks_evidence AFTER INSERT ON evidences
	FOR EACH ROW EXECUTE FUNCTION clock_marks_evidence();

CREATE FUNCTION clock_marks_archived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO clock_marks (request_id) VALUES (NEW.id);
	RETURN NULL;
END;
$$;
CREATE TRIGGER clock_marks_archived AFTER UPDATE OF archived_at ON requests
	FOR EACH ROW EXECUTE FUNCTION clock_marks_archived();

INSERT INTO clock_marks (request_id)
	SELECT id FROM requests WHERE state NOT IN ('closed', 'draft');
