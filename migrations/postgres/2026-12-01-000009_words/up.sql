-- One word per idea (keep in step with the other backend): an issue
-- raised again in the same words is a *repeat* of the first; what a
-- consultation is about is its *description* ("summary" is the committee
-- table).
ALTER TABLE issues RENAME COLUMN duplicate_of_id TO repeat_of_id;
ALTER TABLE consultations RENAME COLUMN summary TO description;
