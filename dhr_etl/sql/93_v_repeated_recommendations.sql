-- One row per group of recommendations that make the same ask in two or more reviews: how many
-- recommendations and reviews, which CSPs and regions, over which years, to which sectors, with a
-- short label (the group's most characteristic words), the member that states the ask best, and the
-- group's agreement (how sure the same-ask model is of it as a whole: README, "How sure a group is").
CREATE OR REPLACE VIEW v_repeated_recommendations AS
WITH members AS (
    SELECT f.repeat_group_key, f.recommendation_key, f.review_key, f.recommendation, f.is_representative, f.repeat_label,
           f.repeat_agreement,
           r.csp_key, r.published_year, c.region
    FROM fact_recommendation AS f
    JOIN dim_review AS r ON r.review_key = f.review_key
    LEFT JOIN dim_csp AS c ON c.csp_key = r.csp_key
    WHERE f.repeat_group_key IS NOT NULL
),
sectors AS (
    SELECT m.repeat_group_key, STRING_AGG(DISTINCT a.agency_sector, ' | ' ORDER BY a.agency_sector) AS sectors
    FROM members AS m
    JOIN bridge_recommendation_agency AS b ON b.recommendation_key = m.recommendation_key
    JOIN dim_agency AS a ON a.agency_key = b.agency_key
    GROUP BY m.repeat_group_key
),
regions AS (
    SELECT repeat_group_key, STRING_AGG(DISTINCT region, ' | ' ORDER BY region) AS regions
    FROM members
    WHERE region IS NOT NULL
    GROUP BY repeat_group_key
)
SELECT
    m.repeat_group_key AS repeat_group_id,
    COUNT(*) AS size,
    COUNT(DISTINCT m.review_key) AS reviews,
    COUNT(DISTINCT m.csp_key) AS csps,
    MIN(m.published_year) AS first_published_year,
    MAX(m.published_year) AS last_published_year,
    s.sectors,
    MAX(CASE WHEN m.is_representative THEN m.recommendation END) AS representative_text,
    g.regions,
    MAX(m.repeat_label) AS label,
    MAX(m.repeat_agreement) AS agreement
FROM members AS m
LEFT JOIN sectors AS s ON s.repeat_group_key = m.repeat_group_key
LEFT JOIN regions AS g ON g.repeat_group_key = m.repeat_group_key
GROUP BY m.repeat_group_key, s.sectors, g.regions
HAVING COUNT(DISTINCT m.review_key) >= 2;
