-- Retention of personal data: when a consultation was published, and how
-- many days after that its consultees' contact details are erased.
-- The same on both backends.
ALTER TABLE consultations ADD COLUMN published_at TIMESTAMP;
ALTER TABLE consultations ADD COLUMN retention_days INTEGER;
