-- Trust in what is published (keep in step with the other backend).
-- When a consultation actually closed (an officer may close it early), who
-- may agree the group's responses, and an officer's recorded reason for
-- publishing before every public issue had an agreed response.
ALTER TABLE consultations ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE consultations ADD COLUMN sign_off_by TEXT NOT NULL DEFAULT 'officers';
ALTER TABLE consultations ADD COLUMN publish_override TEXT;
-- An idempotency key is bound to what was sent under it (a hash of the
-- submission), so the same key with another body is refused.
ALTER TABLE responses ADD COLUMN submission_hash TEXT;
-- An officer checked the response before publication (redacted it, or
-- found nothing to redact).
ALTER TABLE responses ADD COLUMN reviewed_at TIMESTAMP;
ALTER TABLE responses ADD COLUMN reviewed_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
-- The wording of an issue the public sees when its response was redacted
-- (NULL: the same as `content`). Staff keep the original.
ALTER TABLE issues ADD COLUMN public_content TEXT;
