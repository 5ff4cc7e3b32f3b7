-- One row per canonical agency. A recommendation counts once for each body it names.
CREATE OR REPLACE VIEW v_agency_summary AS
SELECT
    a.agency_name,
    a.agency_sector,
    COUNT(DISTINCT b.recommendation_key) AS recommendations,
    COUNT(DISTINCT f.review_key) AS reviews,
    COUNT(DISTINCT r.csp_key) AS csps,
    MIN(r.published_year) AS first_published_year,
    MAX(r.published_year) AS last_published_year,
    a.agency_level
FROM dim_agency AS a
JOIN bridge_recommendation_agency AS b ON b.agency_key = a.agency_key
JOIN fact_recommendation AS f ON f.recommendation_key = b.recommendation_key
JOIN dim_review AS r ON r.review_key = f.review_key
GROUP BY a.agency_key, a.agency_name, a.agency_sector, a.agency_level;
