ALTER TABLE issues DROP COLUMN public_content;
ALTER TABLE responses DROP COLUMN reviewed_by;
ALTER TABLE responses DROP COLUMN reviewed_at;
ALTER TABLE responses DROP COLUMN submission_hash;
ALTER TABLE consultations DROP COLUMN publish_override;
ALTER TABLE consultations DROP COLUMN sign_off_by;
ALTER TABLE consultations DROP COLUMN closed_at;
