-- Failed sign-ins, counted per account and source address (source is the
-- client's address, or '*' for the account-wide count). A failure is
-- counted with one UPDATE ... SET failed = failed + 1 ... RETURNING that
-- also checks the lock, so parallel attempts cannot get past it; counting
-- per source as well means a stranger elsewhere cannot keep an officer
-- locked out (internal/users). accounts.failed_count and locked_until are
-- no longer used.
CREATE TABLE sign_in_throttle (
	username TEXT NOT NULL,
	source TEXT NOT NULL,
	failed BIGINT NOT NULL DEFAULT 0,
	locked_until TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (username, source)
);
