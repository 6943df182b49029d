-- popular_daily (Spark SQL 3.x). Same definition as ../duckdb/popular_daily.sql.
-- Inputs: table/view `events` (DESIGN.md §5a columns + dt DATE, e.g.
-- spark.read.parquet("…/parquet/events") with partition discovery);
-- variable substitution ${top} (spark.sql.variable.substitute=true).
WITH v AS (
  SELECT dt, item_id, count(*) AS views, count(DISTINCT user_id) AS viewers
  FROM events
  WHERE event = 'view' AND item_id IS NOT NULL AND item_id <> '' AND user_id IS NOT NULL
  GROUP BY dt, item_id
), r AS (
  SELECT dt, item_id, views, viewers,
         row_number() OVER (PARTITION BY dt ORDER BY views DESC, item_id ASC) AS rank
  FROM v
)
SELECT dt, CAST(rank AS INT) AS rank, item_id, views, viewers
FROM r
WHERE ${top} <= 0 OR rank <= ${top}
ORDER BY dt, rank;
