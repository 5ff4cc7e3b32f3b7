-- One row per review page; region is the CSP's (NULL when the geography reference could not place it).
CREATE OR REPLACE VIEW v_reviews AS
SELECT
    r.review_id,
    r.title,
    c.csp_name,
    r.published_month,
    r.published_year,
    r.upload_date,
    r.year_of_death,
    r.declared_recommendations,
    r.recommendations,
    r.summary,
    r.report_url,
    r.source_url,
    r.status,
    r.data_as_of,
    c.region
FROM dim_review AS r
JOIN dim_csp AS c ON c.csp_key = r.csp_key;
