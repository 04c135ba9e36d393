-- A letter dated but not timed (keep in step with the other backend):
-- its time is a stand-in (midday), so pages show the date alone.
ALTER TABLE responses ADD COLUMN received_time_known BOOLEAN NOT NULL DEFAULT TRUE;
