-- search_keywords_daily (BigQuery). Same definition as
-- ../duckdb/search_keywords_daily.sql (NORMALIZE(…, NFC); RE2 class of
-- Unicode white space; ctr = share of searches with a same-session click
-- at or after the search on the same day).
WITH s AS (
  SELECT dt, user_id, session_id, ts, result_count,
         LOWER(TRIM(REGEXP_REPLACE(NORMALIZE(keyword, NFC),
               r'[\t\n\x0B\f\r\x{85}\p{Z}]+', ' '), ' ')) AS keyword
  FROM events
  WHERE event = 'search' AND keyword IS NOT NULL AND user_id IS NOT NULL
), c AS (
  SELECT dt, session_id, MAX(ts) AS last_click
  FROM events
  WHERE event = 'click' AND session_id IS NOT NULL AND session_id <> '' AND user_id IS NOT NULL
  GROUP BY dt, session_id
), k AS (
  SELECT s.dt, s.keyword,
         COUNT(*) AS searches,
         COUNT(DISTINCT s.user_id) AS users,
         COUNTIF(s.result_count = 0) / COUNT(*) AS zero_result_rate,
         COUNTIF(c.last_click >= s.ts) / COUNT(*) AS ctr
  FROM s LEFT JOIN c ON c.dt = s.dt AND c.session_id = s.session_id
  WHERE s.keyword <> ''
  GROUP BY s.dt, s.keyword
)
SELECT dt, keyword, searches, users, zero_result_rate, ctr
FROM k
WHERE TRUE
QUALIFY @top <= 0 OR ROW_NUMBER() OVER (PARTITION BY dt ORDER BY searches DESC, keyword ASC) <= @top
ORDER BY dt, searches DESC, keyword;
