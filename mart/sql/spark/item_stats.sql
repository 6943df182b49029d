-- item_stats (Spark SQL 3.x). Same definition as ../duckdb/item_stats.sql;
-- ${dt} is the build day as a DATE literal, e.g. DATE'2026-11-22'.
SELECT item_id,
       count_if(event = 'view')  AS views,
       count_if(event = 'click') AS clicks,
       count_if(event = 'like')  AS likes,
       count_if(event = 'book')  AS books
FROM events
WHERE dt <= ${dt} AND event IN ('view', 'click', 'like', 'book')
  AND item_id IS NOT NULL AND item_id <> '' AND user_id IS NOT NULL
GROUP BY item_id
ORDER BY item_id;
