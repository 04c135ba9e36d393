-- After the consultation (keep in step with the other backend): revised
-- structures kept as numbered versions (the consulted structure in
-- `bodies`/`body_links` never changes), every change with the issues that
-- prompted it, the covering report of the committee pack, the published
-- outcome, and who asked to hear about it.
CREATE TABLE structure_versions (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (consultation_id, number)
);

CREATE TABLE version_bodies (
    id INTEGER PRIMARY KEY,
    version_id BIGINT NOT NULL REFERENCES structure_versions(id) ON DELETE CASCADE,
    consulted_body_id BIGINT REFERENCES bodies(id) ON DELETE SET NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT,
    status TEXT NOT NULL,
    role TEXT NOT NULL,
    membership TEXT NOT NULL,
    meets TEXT NOT NULL,
    UNIQUE (version_id, name)
);

CREATE TABLE version_links (
    id INTEGER PRIMARY KEY,
    version_id BIGINT NOT NULL REFERENCES structure_versions(id) ON DELETE CASCADE,
    from_body_id BIGINT NOT NULL REFERENCES version_bodies(id) ON DELETE CASCADE,
    to_body_id BIGINT NOT NULL REFERENCES version_bodies(id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    note TEXT
);
CREATE INDEX version_links_by_version ON version_links (version_id);

CREATE TABLE structure_changes (
    id INTEGER PRIMARY KEY,
    version_id BIGINT NOT NULL REFERENCES structure_versions(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX structure_changes_by_version ON structure_changes (version_id);

CREATE TABLE structure_change_issues (
    change_id BIGINT NOT NULL REFERENCES structure_changes(id) ON DELETE CASCADE,
    issue_id BIGINT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    PRIMARY KEY (change_id, issue_id)
);

CREATE TABLE committee_reports (
    consultation_id BIGINT PRIMARY KEY REFERENCES consultations(id) ON DELETE CASCADE,
    committee TEXT NOT NULL,
    meeting_date DATE,
    purpose TEXT NOT NULL,
    next_steps TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

ALTER TABLE consultations ADD COLUMN outcome_version_id BIGINT REFERENCES structure_versions(id) ON DELETE SET NULL;
ALTER TABLE consultations ADD COLUMN outcome_published_at TIMESTAMP;
ALTER TABLE responses ADD COLUMN tell_me_outcome BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE responses ADD COLUMN outcome_sent_at TIMESTAMP;
