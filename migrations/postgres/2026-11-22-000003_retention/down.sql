ALTER TABLE consultations DROP COLUMN retention_days;
ALTER TABLE consultations DROP COLUMN published_at;
