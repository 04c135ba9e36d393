-- Redaction before publication (keep in step with the other backend): the
-- text the public sees when an officer has removed parts of a response,
-- with who did it, when and why. The original `content` is kept.
ALTER TABLE responses ADD COLUMN redacted_content TEXT;
ALTER TABLE responses ADD COLUMN redaction_reason TEXT;
ALTER TABLE responses ADD COLUMN redacted_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE responses ADD COLUMN redacted_at TIMESTAMP;
