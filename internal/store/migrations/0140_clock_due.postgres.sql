-- When each case's clocks next need the clock runner (internal/clockrun),
-- so that a tick reads only the cases due by now (indexed), not every open
-- case. due_at is a stored time (store.FormatTime); '' means "look now":
-- the case changed since the runner last computed its next due time. A
-- case with nothing ahead has no row.
--
-- The triggers below keep it true wherever a case's evidences change:
-- every new evidence (and an archiving) marks the case '' and bumps gen.
-- The runner writes a computed due time back only if gen is still what it
-- read before loading the case, so a change that lands while it computes
-- is never overwritten.
CREATE TABLE clock_due (
	request_id TEXT PRIMARY KEY,
	due_at TEXT NOT NULL,
	gen BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX clock_due_at ON clock_due (due_at);

CREATE FUNCTION clock_due_mark(rid TEXT) RETURNS void LANGUAGE sql AS $$
	INSERT INTO clock_due (request_id, due_at, gen) VALUES (rid, '', 1)
	ON CONFLICT (request_id) DO UPDATE SET due_at = '', gen = clock_due.gen + 1;
$$;

CREATE FUNCTION clock_due_evidence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM clock_due_mark(NEW.request_id);
	RETURN NULL;
END;
$$;
CREATE TRIGGER clock_due_evidence AFTER INSERT ON evidences
	FOR EACH ROW EXECUTE FUNCTION clock_due_evidence();

CREATE FUNCTION clock_due_archived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM clock_due_mark(NEW.id);
	RETURN NULL;
END;
$$;
CREATE TRIGGER clock_due_archived AFTER UPDATE OF archived_at ON requests
	FOR EACH ROW EXECUTE FUNCTION clock_due_archived();

INSERT INTO clock_due (request_id, due_at, gen)
	SELECT id, '', 1 FROM requests WHERE state NOT IN ('closed', 'draft');
