-- One row per review with a finding: count mismatches, missing fields, stale or withdrawn pages.
CREATE OR REPLACE VIEW v_data_quality AS
SELECT review_id, finding, severity
FROM data_quality_finding;
