-- One row per theme and sector addressed: recommendations of that theme naming a body of that sector.
CREATE OR REPLACE VIEW v_theme_sector_summary AS
SELECT
    t.theme,
    a.agency_sector,
    COUNT(DISTINCT t.recommendation_key) AS recommendations
FROM bridge_recommendation_theme AS t
JOIN bridge_recommendation_agency AS b ON b.recommendation_key = t.recommendation_key
JOIN dim_agency AS a ON a.agency_key = b.agency_key
GROUP BY t.theme, a.agency_sector;
