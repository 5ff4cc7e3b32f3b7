-- One row per sector and publication year. A recommendation counts once per sector, however many
-- bodies of that sector it names; the share is over all recommendations published that year.
CREATE OR REPLACE VIEW v_sector_year_summary AS
WITH sector_recommendations AS (
    SELECT DISTINCT a.agency_sector, r.published_year, f.recommendation_key, f.review_key
    FROM bridge_recommendation_agency AS b
    JOIN dim_agency AS a ON a.agency_key = b.agency_key
    JOIN fact_recommendation AS f ON f.recommendation_key = b.recommendation_key
    JOIN dim_review AS r ON r.review_key = f.review_key
),
year_recommendations AS (
    SELECT r.published_year, COUNT(*) AS recommendations
    FROM fact_recommendation AS f
    JOIN dim_review AS r ON r.review_key = f.review_key
    GROUP BY r.published_year
)
SELECT
    s.agency_sector,
    s.published_year,
    COUNT(*) AS recommendations,
    COUNT(DISTINCT s.review_key) AS reviews,
    CAST(COUNT(*) AS DOUBLE PRECISION) / y.recommendations AS share_of_year_recommendations
FROM sector_recommendations AS s
JOIN year_recommendations AS y ON y.published_year IS NOT DISTINCT FROM s.published_year
GROUP BY s.agency_sector, s.published_year, y.recommendations;
