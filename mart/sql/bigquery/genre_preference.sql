-- genre_preference (BigQuery). Same definition as
-- ../duckdb/genre_preference.sql. Parameters: @dt DATE, @window_days INT64,
-- @half_life FLOAT64, @w_view, @w_click, @w_like, @w_book FLOAT64; table
-- item_genres(item_id STRING, genre STRING).
WITH w AS (
  SELECT 'view' AS event, @w_view AS weight UNION ALL SELECT 'click', @w_click
  UNION ALL SELECT 'like', @w_like UNION ALL SELECT 'book', @w_book
), g AS (
  SELECT DISTINCT item_id, genre FROM item_genres WHERE genre IS NOT NULL AND genre <> ''
), d AS (
  SELECT e.user_id, g.genre, e.dt, SUM(w.weight) AS s
  FROM events e JOIN w ON w.event = e.event JOIN g ON g.item_id = e.item_id
  WHERE e.dt BETWEEN DATE_SUB(@dt, INTERVAL @window_days - 1 DAY) AND @dt
    AND e.user_id IS NOT NULL AND w.weight > 0
  GROUP BY e.user_id, g.genre, e.dt
)
SELECT user_id, genre, SUM(s * POW(0.5, DATE_DIFF(@dt, dt, DAY) / @half_life)) AS score
FROM d
GROUP BY user_id, genre
ORDER BY user_id, genre;
