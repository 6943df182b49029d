-- popular_daily (DuckDB): per day, the top N items by view events, ties by
-- item_id; viewers = distinct user_ids with a view of the item that day.
-- Inputs: view `events` (DESIGN.md §5a columns + dt DATE); variable top
-- (INTEGER, <= 0 = all). Same definition as marquee build-mart.
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
SELECT dt, CAST(rank AS INTEGER) AS rank, item_id, views, viewers
FROM r
WHERE getvariable('top') <= 0 OR rank <= getvariable('top')
ORDER BY dt, rank;
