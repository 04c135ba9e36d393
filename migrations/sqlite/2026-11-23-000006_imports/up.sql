-- Files of responses uploaded for import (keep in step with the other
-- backend). The decoded text is kept until it is imported, so the officer
-- can map its columns and preview it first, and as a record of what was
-- imported, by whom and when.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content TEXT NOT NULL,
    encoding TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    uploaded_at TIMESTAMP NOT NULL,
    imported_at TIMESTAMP,
    imported INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX imports_by_consultation ON imports (consultation_id);
