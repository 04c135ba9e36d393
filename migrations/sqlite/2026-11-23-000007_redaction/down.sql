ALTER TABLE responses DROP COLUMN redacted_at;
ALTER TABLE responses DROP COLUMN redacted_by;
ALTER TABLE responses DROP COLUMN redaction_reason;
ALTER TABLE responses DROP COLUMN redacted_content;
