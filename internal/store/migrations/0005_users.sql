-- People who sign in to the portal. Passwords are argon2id hashes in PHC
-- form; the TOTP secret is base32 (what an authenticator app takes);
-- totp_last_step stops a code from being used twice. failed_count and
-- locked_until carry the lockout with back-off.
CREATE TABLE accounts (
	username TEXT PRIMARY KEY,
	display_name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin', 'auditor')),
	password_hash TEXT NOT NULL,
	totp_secret TEXT NOT NULL,
	totp_last_step BIGINT NOT NULL DEFAULT 0,
	disabled BIGINT NOT NULL DEFAULT 0,
	failed_count BIGINT NOT NULL DEFAULT 0,
	locked_until TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Signed-in sessions. Only the SHA-256 of the cookie's token is stored, so
-- a copy of the database does not let anyone sign in.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	username TEXT NOT NULL REFERENCES accounts (username),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	last_seen TEXT NOT NULL
);
CREATE INDEX sessions_username ON sessions (username);
