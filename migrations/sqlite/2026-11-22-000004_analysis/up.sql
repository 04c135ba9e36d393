-- What the analysis engine stores (keep in step with the other backend).
-- Themes keep the evidence for their label; issues that fit no theme are
-- flagged for an officer; repeated (campaign) responses point at the first
-- of their group; suggested earlier answers are kept per issue; each run is
-- recorded, and at most one runs per consultation at a time (across every
-- instance of the service).
ALTER TABLE themes ADD COLUMN top_terms TEXT NOT NULL DEFAULT '[]';
ALTER TABLE themes ADD COLUMN representatives TEXT NOT NULL DEFAULT '[]';
ALTER TABLE issues ADD COLUMN fits_no_theme BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE responses ADD COLUMN campaign_of_id BIGINT REFERENCES responses(id) ON DELETE SET NULL;

CREATE TABLE answer_suggestions (
    issue_id BIGINT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    suggested_issue_id BIGINT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    similarity REAL NOT NULL,
    rank INTEGER NOT NULL,
    PRIMARY KEY (issue_id, suggested_issue_id)
);

CREATE TABLE analysis_runs (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    issues INTEGER NOT NULL DEFAULT 0,
    themes INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    started_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX analysis_runs_one_running ON analysis_runs (consultation_id) WHERE status = 'running';
