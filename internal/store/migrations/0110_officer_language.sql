-- The portal language an officer chose on the profile page (issue 16:
-- English and French, chosen per account). '' follows the browser's
-- Accept-Language.
ALTER TABLE officer_profiles ADD COLUMN language TEXT NOT NULL DEFAULT '';
