-- Sharing the work (keep in step with the other backend): a theme is
-- assigned to one person of the group; a response is new, in progress or
-- done for the group.
ALTER TABLE themes ADD COLUMN assigned_to BIGINT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE responses ADD COLUMN work_status TEXT NOT NULL DEFAULT 'new';
