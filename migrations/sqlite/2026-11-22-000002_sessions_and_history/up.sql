-- Staff sign-in sessions (stored, so sign-out really ends them and every
-- instance behind a load balancer sees the same ones), the history of
-- consultees' changes to their responses, and the key that makes a
-- resubmitted form idempotent. Keep in step with migrations/postgres.

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE response_revisions (
    id INTEGER PRIMARY KEY,
    response_id BIGINT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    replaced_at TIMESTAMP NOT NULL,
    replaced_by TEXT NOT NULL,
    UNIQUE (response_id, version)
);

ALTER TABLE responses ADD COLUMN submission_key TEXT;
ALTER TABLE responses ADD COLUMN edit_salt TEXT;
CREATE UNIQUE INDEX responses_by_submission_key ON responses (submission_key);
