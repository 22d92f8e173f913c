-- Incidents received today and this week, and in the same spans one week earlier, by the bureau's clock ($1 an IANA
-- time zone): "today" is local midnight to now, "this week" Monday 00:00 to now; last week's spans end at now - 7 days
-- so both sides cover the same length of day. Merged incidents were repeat calls of another one: not counted.
WITH k AS (
    SELECT date_trunc('day', now() AT TIME ZONE $1) AS today,
           date_trunc('week', now() AT TIME ZONE $1) AS week,
           now() AT TIME ZONE $1 AS local_now
), i AS (
    SELECT received_at AT TIME ZONE $1 AS local_at
    FROM incidents
    WHERE received_at >= now() - interval '15 days' AND status <> 'merged'
)
SELECT count(*) FILTER (WHERE i.local_at >= k.today AND i.local_at <= k.local_now),
       count(*) FILTER (WHERE i.local_at >= k.today - interval '7 days' AND i.local_at <= k.local_now - interval '7 days'),
       count(*) FILTER (WHERE i.local_at >= k.week AND i.local_at <= k.local_now),
       count(*) FILTER (WHERE i.local_at >= k.week - interval '7 days' AND i.local_at <= k.local_now - interval '7 days')
FROM k LEFT JOIN i ON true;
