-- Which group members work on which consultation (keep in step with the
-- other backend). Officers and admins see every consultation; a group
-- member only those they are assigned to.
CREATE TABLE consultation_members (
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (consultation_id, user_id)
);
CREATE INDEX consultation_members_user ON consultation_members (user_id);
