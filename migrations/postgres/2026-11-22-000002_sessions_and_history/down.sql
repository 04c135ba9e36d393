DROP INDEX responses_by_submission_key;
ALTER TABLE responses DROP COLUMN edit_salt;
ALTER TABLE responses DROP COLUMN submission_key;
DROP TABLE response_revisions;
DROP TABLE sessions;
