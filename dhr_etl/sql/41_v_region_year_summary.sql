-- One row per region (the Home Office library's ten) and publication year. Reviews whose CSP the
-- geography reference could not place count under a NULL region; v_resolution_review lists them.
CREATE OR REPLACE VIEW v_region_year_summary AS
SELECT
    c.region,
    r.published_year,
    COUNT(*) AS reviews,
    CAST(SUM(r.recommendations) AS BIGINT) AS recommendations,
    CAST(SUM(r.recommendations) AS DOUBLE PRECISION) / COUNT(*) AS recommendations_per_review
FROM dim_review AS r
JOIN dim_csp AS c ON c.csp_key = r.csp_key
GROUP BY c.region, r.published_year;
