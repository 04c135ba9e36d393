ALTER TABLE responses DROP COLUMN work_status;
ALTER TABLE themes DROP COLUMN assigned_to;
