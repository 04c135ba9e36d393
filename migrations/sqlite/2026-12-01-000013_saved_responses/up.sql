-- Save and return (keep in step with the other backend): an unfinished
-- response kept until the closing time, found by the private link's key
-- (stored hashed, as session tokens are).
CREATE TABLE saved_responses (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    key_hash TEXT NOT NULL UNIQUE,
    draft TEXT NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX saved_responses_by_expiry ON saved_responses (expires_at);
