-- The spine: consultations, their document, proposed structure, consultees,
-- responses, issues, themes and the group's responses. Keep in step with
-- migrations/postgres (same tables, same column names, portable types).

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE consultations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    run_by TEXT NOT NULL,
    group_name TEXT NOT NULL,
    reference_prefix TEXT NOT NULL,
    responses_received BIGINT NOT NULL DEFAULT 0,
    opens_at TIMESTAMP,
    closes_at TIMESTAMP,
    status TEXT NOT NULL,
    source_note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    heading TEXT NOT NULL,
    content TEXT NOT NULL,
    UNIQUE (consultation_id, position)
);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    section_id BIGINT REFERENCES sections(id) ON DELETE SET NULL,
    position INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    kind TEXT NOT NULL,
    choices TEXT NOT NULL DEFAULT '[]',
    required BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE (consultation_id, position)
);

CREATE TABLE bodies (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT,
    status TEXT NOT NULL,
    role TEXT NOT NULL,
    membership TEXT NOT NULL,
    meets TEXT NOT NULL,
    UNIQUE (consultation_id, name)
);

CREATE TABLE body_links (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    from_body_id BIGINT NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    to_body_id BIGINT NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    note TEXT
);

CREATE TABLE consultees (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    short_name TEXT,
    kind TEXT NOT NULL,
    contact_name TEXT,
    contact_email TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultees_by_name ON consultees (consultation_id, name);

CREATE TABLE responses (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    reference TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    publication TEXT NOT NULL,
    status TEXT NOT NULL,
    content TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX responses_by_consultation ON responses (consultation_id, received_at);

-- A joint response is raised by several consultees, kept in their order.
CREATE TABLE response_consultees (
    response_id BIGINT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    consultee_id BIGINT NOT NULL REFERENCES consultees(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (response_id, consultee_id)
);

CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    response_id BIGINT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    UNIQUE (response_id, question_id)
);

CREATE TABLE themes (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    origin TEXT NOT NULL,
    officer_named BOOLEAN NOT NULL DEFAULT 0,
    pinned BOOLEAN NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE issues (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    response_id BIGINT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    content TEXT NOT NULL,
    kind TEXT NOT NULL,
    theme_id BIGINT REFERENCES themes(id) ON DELETE SET NULL,
    theme_set_by_officer BOOLEAN NOT NULL DEFAULT 0,
    duplicate_of_id BIGINT REFERENCES issues(id) ON DELETE SET NULL,
    edited_by_officer BOOLEAN NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (response_id, position)
);
CREATE INDEX issues_by_consultation ON issues (consultation_id);
CREATE INDEX issues_by_theme ON issues (theme_id);

CREATE TABLE issue_sections (
    issue_id BIGINT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    section_id BIGINT NOT NULL REFERENCES sections(id) ON DELETE CASCADE,
    PRIMARY KEY (issue_id, section_id)
);

CREATE TABLE issue_bodies (
    issue_id BIGINT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    body_id BIGINT NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    PRIMARY KEY (issue_id, body_id)
);

CREATE TABLE issue_tags (
    issue_id BIGINT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (issue_id, tag)
);

-- One agreed answer per issue: the task-and-finish group's response.
CREATE TABLE group_responses (
    id INTEGER PRIMARY KEY,
    issue_id BIGINT NOT NULL UNIQUE REFERENCES issues(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    content TEXT,
    same_as_issue_id BIGINT REFERENCES issues(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    before_value TEXT,
    after_value TEXT
);
CREATE INDEX audit_by_entity ON audit_log (entity, entity_id);
