-- One row per theme and publication year; the share is over all recommendations published that year.
CREATE OR REPLACE VIEW v_theme_year_summary AS
WITH themed AS (
    SELECT t.theme, r.published_year, f.recommendation_key, f.review_key
    FROM bridge_recommendation_theme AS t
    JOIN fact_recommendation AS f ON f.recommendation_key = t.recommendation_key
    JOIN dim_review AS r ON r.review_key = f.review_key
),
year_recommendations AS (
    SELECT r.published_year, COUNT(*) AS recommendations
    FROM fact_recommendation AS f
    JOIN dim_review AS r ON r.review_key = f.review_key
    GROUP BY r.published_year
)
SELECT
    t.theme,
    t.published_year,
    COUNT(*) AS recommendations,
    COUNT(DISTINCT t.review_key) AS reviews,
    CAST(COUNT(*) AS DOUBLE PRECISION) / y.recommendations AS share_of_year_recommendations
FROM themed AS t
JOIN year_recommendations AS y ON y.published_year IS NOT DISTINCT FROM t.published_year
GROUP BY t.theme, t.published_year, y.recommendations;
