-- search_keywords_daily (Spark SQL 3.x). Same definition as
-- ../duckdb/search_keywords_daily.sql. Spark SQL has no NFC function:
-- register one first, e.g. in PySpark
--   spark.udf.register("nfc", lambda s: None if s is None else unicodedata.normalize("NFC", s))
-- The regex is Java's; backslashes are doubled for the SQL string literal.
WITH s AS (
  SELECT dt, user_id, session_id, ts, result_count,
         lower(trim(BOTH ' ' FROM regexp_replace(nfc(keyword),
               '[\\t\\n\\x0B\\f\\r\\x{85}\\p{Z}]+', ' '))) AS keyword
  FROM events
  WHERE event = 'search' AND keyword IS NOT NULL AND user_id IS NOT NULL
), c AS (
  SELECT dt, session_id, max(ts) AS last_click
  FROM events
  WHERE event = 'click' AND session_id IS NOT NULL AND session_id <> '' AND user_id IS NOT NULL
  GROUP BY dt, session_id
), k AS (
  SELECT s.dt, s.keyword,
         count(*) AS searches,
         count(DISTINCT s.user_id) AS users,
         CAST(count_if(s.result_count = 0) AS DOUBLE) / count(*) AS zero_result_rate,
         CAST(count_if(c.last_click >= s.ts) AS DOUBLE) / count(*) AS ctr
  FROM s LEFT JOIN c ON c.dt = s.dt AND c.session_id = s.session_id
  WHERE s.keyword <> ''
  GROUP BY s.dt, s.keyword
), r AS (
  SELECT *, row_number() OVER (PARTITION BY dt ORDER BY searches DESC, keyword ASC) AS n FROM k
)
SELECT dt, keyword, searches, users, zero_result_rate, ctr
FROM r
WHERE ${top} <= 0 OR n <= ${top}
ORDER BY dt, n;
