-- One row per recommendation, with its themes (' | '-joined) and its repeat group, if any. `agencies` lists each canonical body once, in printed order, so a
-- body printed twice under two spellings is still one addressee.
CREATE OR REPLACE VIEW v_recommendations AS
WITH bodies AS (
    SELECT recommendation_key, agency_key, MIN(addressee_position) AS first_position
    FROM bridge_recommendation_agency
    GROUP BY recommendation_key, agency_key
),
addressed AS (
    SELECT
        b.recommendation_key,
        STRING_AGG(a.agency_name, ' | ' ORDER BY b.first_position) AS agencies,
        COUNT(*) AS agency_count
    FROM bodies AS b
    JOIN dim_agency AS a ON a.agency_key = b.agency_key
    GROUP BY b.recommendation_key
),
themed AS (
    SELECT recommendation_key, STRING_AGG(theme, ' | ' ORDER BY theme) AS themes
    FROM bridge_recommendation_theme
    GROUP BY recommendation_key
)
SELECT
    r.review_id,
    c.csp_name,
    r.published_year,
    r.year_of_death,
    f.rec_label,
    f.rec_order,
    f.recommendation,
    ad.agencies,
    COALESCE(ad.agency_count, 0) AS agency_count,
    th.themes,
    f.repeat_group_key AS repeat_group_id
FROM fact_recommendation AS f
JOIN dim_review AS r ON r.review_key = f.review_key
JOIN dim_csp AS c ON c.csp_key = r.csp_key
LEFT JOIN addressed AS ad ON ad.recommendation_key = f.recommendation_key
LEFT JOIN themed AS th ON th.recommendation_key = f.recommendation_key;
