-- search_keywords_daily (DuckDB): per day and normalised keyword (NFC, runs
-- of Unicode white space collapsed to one space, trimmed, lower-cased):
-- searches, distinct users, the share of searches with result_count 0, and
-- the share followed by a click in the same session (a click event with the
-- same non-empty session_id on the same day whose ts >= the search's ts).
-- Top N keywords by searches desc, keyword asc (top <= 0: all).
WITH s AS (
    SELECT dt, user_id, session_id, ts, result_count,
           lower(trim(regexp_replace(nfc_normalize(keyword),
                 '[\t\n\x0B\f\r\x{85}\p{Z}]+', ' ', 'g'), ' ')) AS keyword
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
           CAST(count(*) FILTER (WHERE s.result_count = 0) AS DOUBLE) / count(*) AS zero_result_rate,
           CAST(count(*) FILTER (WHERE c.last_click >= s.ts) AS DOUBLE) / count(*) AS ctr
    FROM s LEFT JOIN c ON c.dt = s.dt AND c.session_id = s.session_id
    WHERE s.keyword <> ''
    GROUP BY s.dt, s.keyword
), r AS (
    SELECT *, row_number() OVER (PARTITION BY dt ORDER BY searches DESC, keyword ASC) AS n
    FROM k
)
SELECT dt, keyword, searches, users, zero_result_rate, ctr
FROM r
WHERE getvariable('top') <= 0 OR n <= getvariable('top')
ORDER BY dt, n;
