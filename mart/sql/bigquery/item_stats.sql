-- item_stats (BigQuery). Same definition as ../duckdb/item_stats.sql;
-- @dt DATE is the build day.
SELECT item_id,
       COUNTIF(event = 'view')  AS views,
       COUNTIF(event = 'click') AS clicks,
       COUNTIF(event = 'like')  AS likes,
       COUNTIF(event = 'book')  AS books
FROM events
WHERE dt <= @dt AND event IN ('view', 'click', 'like', 'book')
  AND item_id IS NOT NULL AND item_id <> '' AND user_id IS NOT NULL
GROUP BY item_id
ORDER BY item_id;
