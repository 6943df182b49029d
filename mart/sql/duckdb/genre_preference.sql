-- genre_preference (DuckDB): per (user, genre), the weighted event count
-- over the trailing window ending on the build day, each day's events
-- decayed by 0.5^(age_days / half_life):
--   score = sum over events e of items carrying the genre of
--           weight(e.event) * 0.5^((dt_build - e.dt) / half_life)
-- Inputs: view `events`; table item_genres(item_id, genre); variables dt
-- (DATE), window_days, half_life (days), w_view, w_click, w_like, w_book.
WITH w(event, weight) AS (
    VALUES ('view', getvariable('w_view')), ('click', getvariable('w_click')),
           ('like', getvariable('w_like')), ('book', getvariable('w_book'))
), g AS (
    SELECT DISTINCT item_id, genre FROM item_genres WHERE genre IS NOT NULL AND genre <> ''
), d AS (
    SELECT e.user_id, g.genre, e.dt, sum(w.weight) AS s
    FROM events e JOIN w ON w.event = e.event JOIN g ON g.item_id = e.item_id
    WHERE e.dt BETWEEN getvariable('dt') - (getvariable('window_days') - 1) AND getvariable('dt')
      AND e.user_id IS NOT NULL AND w.weight > 0
    GROUP BY e.user_id, g.genre, e.dt
)
SELECT user_id, genre,
       sum(s * pow(0.5, (getvariable('dt') - dt) / getvariable('half_life'))) AS score
FROM d
GROUP BY user_id, genre
ORDER BY user_id, genre;
