-- ranking_age_daily (BigQuery). Same definition as ../duckdb/ranking_age_daily.sql.
WITH v AS (
  SELECT dt, age_group, item_id, COUNT(*) AS views, COUNT(DISTINCT user_id) AS viewers
  FROM events
  WHERE event = 'view' AND item_id IS NOT NULL AND item_id <> '' AND user_id IS NOT NULL
    AND age_group IS NOT NULL AND age_group <> ''
  GROUP BY dt, age_group, item_id
), r AS (
  SELECT dt, age_group, item_id, views, viewers,
         ROW_NUMBER() OVER (PARTITION BY dt, age_group ORDER BY views DESC, item_id ASC) AS rank
  FROM v
)
SELECT dt, age_group, rank, item_id, views, viewers
FROM r
WHERE @top <= 0 OR rank <= @top
ORDER BY dt, age_group, rank;
