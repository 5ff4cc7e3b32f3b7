-- One row per calendar year seen as a publication year or a year of death.
CREATE OR REPLACE VIEW v_year_summary AS
WITH years AS (
    SELECT published_year AS year FROM dim_review WHERE published_year IS NOT NULL
    UNION
    SELECT year_of_death AS year FROM dim_review WHERE year_of_death IS NOT NULL
),
published AS (
    SELECT
        published_year AS year,
        COUNT(*) AS reviews,
        SUM(recommendations) AS recommendations,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY published_year - year_of_death) AS median_gap
    FROM dim_review
    WHERE published_year IS NOT NULL
    GROUP BY published_year
),
deaths AS (
    SELECT year_of_death AS year, COUNT(*) AS reviews
    FROM dim_review
    WHERE year_of_death IS NOT NULL
    GROUP BY year_of_death
)
SELECT
    y.year,
    COALESCE(p.reviews, 0) AS reviews_published,
    CAST(COALESCE(p.recommendations, 0) AS BIGINT) AS recommendations_published,
    COALESCE(d.reviews, 0) AS reviews_with_death_in_year,
    CAST(p.median_gap AS DOUBLE PRECISION) AS median_years_death_to_publication
FROM years AS y
LEFT JOIN published AS p ON p.year = y.year
LEFT JOIN deaths AS d ON d.year = y.year;
