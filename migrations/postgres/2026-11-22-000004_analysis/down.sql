DROP TABLE analysis_runs;
DROP TABLE answer_suggestions;
ALTER TABLE responses DROP COLUMN campaign_of_id;
ALTER TABLE issues DROP COLUMN fits_no_theme;
ALTER TABLE themes DROP COLUMN representatives;
ALTER TABLE themes DROP COLUMN top_terms;
