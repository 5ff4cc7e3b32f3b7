-- One row per CSP and publication year (the month of upload to the Home Office library), with the
-- CSP's region (NULL for a CSP the geography reference could not place).
CREATE OR REPLACE VIEW v_csp_year_summary AS
SELECT
    c.csp_name,
    r.published_year,
    COUNT(*) AS reviews,
    CAST(SUM(r.recommendations) AS BIGINT) AS recommendations,
    CAST(SUM(r.recommendations) AS DOUBLE PRECISION) / COUNT(*) AS recommendations_per_review,
    c.region
FROM dim_review AS r
JOIN dim_csp AS c ON c.csp_key = r.csp_key
GROUP BY c.csp_name, c.region, r.published_year;
