-- popular_daily (BigQuery Standard SQL). Same definition as
-- ../duckdb/popular_daily.sql. Inputs: table `events` (DESIGN.md §5a
-- columns, partitioned by DATE column dt); query parameter @top INT64
-- (<= 0 = all). Run once per range; write to mart.popular_daily.
WITH v AS (
  SELECT dt, item_id, COUNT(*) AS views, COUNT(DISTINCT user_id) AS viewers
  FROM events
  WHERE event = 'view' AND item_id IS NOT NULL AND item_id <> '' AND user_id IS NOT NULL
  GROUP BY dt, item_id
), r AS (
  SELECT dt, item_id, views, viewers,
         ROW_NUMBER() OVER (PARTITION BY dt ORDER BY views DESC, item_id ASC) AS rank
  FROM v
)
SELECT dt, rank, item_id, views, viewers
FROM r
WHERE @top <= 0 OR rank <= @top
ORDER BY dt, rank;
