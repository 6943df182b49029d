-- genre_preference (Spark SQL 3.x). Same definition as
-- ../duckdb/genre_preference.sql. Variables: ${dt} (DATE literal),
-- ${window_days}, ${half_life}, ${w_view}, ${w_click}, ${w_like}, ${w_book};
-- table item_genres(item_id STRING, genre STRING).
WITH w AS (
  SELECT * FROM VALUES ('view', CAST(${w_view} AS DOUBLE)), ('click', CAST(${w_click} AS DOUBLE)),
                       ('like', CAST(${w_like} AS DOUBLE)), ('book', CAST(${w_book} AS DOUBLE)) AS w(event, weight)
), g AS (
  SELECT DISTINCT item_id, genre FROM item_genres WHERE genre IS NOT NULL AND genre <> ''
), d AS (
  SELECT e.user_id, g.genre, e.dt, sum(w.weight) AS s
  FROM events e JOIN w ON w.event = e.event JOIN g ON g.item_id = e.item_id
  WHERE e.dt BETWEEN date_sub(${dt}, ${window_days} - 1) AND ${dt}
    AND e.user_id IS NOT NULL AND w.weight > 0
  GROUP BY e.user_id, g.genre, e.dt
)
SELECT user_id, genre, sum(s * pow(0.5, datediff(${dt}, dt) / ${half_life})) AS score
FROM d
GROUP BY user_id, genre
ORDER BY user_id, genre;
