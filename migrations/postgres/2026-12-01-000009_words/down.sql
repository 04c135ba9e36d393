ALTER TABLE consultations RENAME COLUMN description TO summary;
ALTER TABLE issues RENAME COLUMN repeat_of_id TO duplicate_of_id;
