-- item_stats (DuckDB): per item, cumulative view/click/like/book events over
-- every events partition up to and including the build day.
-- Inputs: view `events`; variable dt (DATE, the build day).
SELECT item_id,
       count(*) FILTER (WHERE event = 'view')  AS views,
       count(*) FILTER (WHERE event = 'click') AS clicks,
       count(*) FILTER (WHERE event = 'like')  AS likes,
       count(*) FILTER (WHERE event = 'book')  AS books
FROM events
WHERE dt <= getvariable('dt') AND event IN ('view', 'click', 'like', 'book')
  AND item_id IS NOT NULL AND item_id <> '' AND user_id IS NOT NULL
GROUP BY item_id
ORDER BY item_id;
