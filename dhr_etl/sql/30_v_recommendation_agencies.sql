-- One row per (recommendation, addressee) as printed on the page.
CREATE OR REPLACE VIEW v_recommendation_agencies AS
SELECT
    r.review_id,
    c.csp_name,
    r.published_year,
    r.year_of_death,
    f.rec_label,
    f.rec_order,
    a.agency_name,
    a.agency_sector,
    b.addressed_as,
    a.agency_level
FROM bridge_recommendation_agency AS b
JOIN fact_recommendation AS f ON f.recommendation_key = b.recommendation_key
JOIN dim_review AS r ON r.review_key = f.review_key
JOIN dim_csp AS c ON c.csp_key = r.csp_key
JOIN dim_agency AS a ON a.agency_key = b.agency_key;
