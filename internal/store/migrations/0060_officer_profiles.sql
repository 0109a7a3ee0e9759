-- An officer's own contact details, which the portal puts in a new
-- request (the call-back phone, the e-mail) so they are not typed each
-- time (issue 16). One row per portal account; absent until the officer
-- saves the profile page.
CREATE TABLE officer_profiles (
	username TEXT PRIMARY KEY REFERENCES accounts (username),
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL
);
