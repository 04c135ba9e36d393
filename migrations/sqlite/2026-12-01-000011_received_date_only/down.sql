ALTER TABLE responses DROP COLUMN received_time_known;
