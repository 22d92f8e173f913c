-- Per station in the caller's view (row-level security; a station above a caller who sits lower counts too) for the
-- month starting $1 on the bureau's clock ($2 time zone): instructions raised that month, reported back in time
-- (done_at before the deadline), 核查率 (verified of those reported back), feedback rate (reported back of those
-- raised); black and red places this month and the same month a year earlier.
WITH stations AS (
    SELECT j.id, j.code, j.name, j.name_en, j.path FROM jurisdictions j
    WHERE j.kind = 'station' AND (j.path <@ geotwin_scope() OR geotwin_scope() <@ j.path)
), inst AS (
    SELECT s.id AS station, i.status, i.done_at, i.due_at
    FROM warning_instructions i JOIN stations s ON i.jurisdiction_path <@ s.path
    WHERE i.raised_at >= ($1::date::timestamp AT TIME ZONE $2::text)
      AND i.raised_at < ((($1::date + interval '1 month')::timestamp) AT TIME ZONE $2::text)
), lev AS (
    SELECT s.id AS station, l.month, l.level
    FROM warning_levels l JOIN warning_places p ON p.id = l.place_id JOIN stations s ON p.jurisdiction_path <@ s.path
    WHERE l.month IN ($1::date, ($1::date - interval '1 year')::date) AND l.level IN ('red', 'black')
)
SELECT s.code, s.name, s.name_en,
       (SELECT count(*) FROM inst WHERE station = s.id)::int AS issued,
       (SELECT count(*) FROM inst WHERE station = s.id AND done_at IS NOT NULL AND done_at <= due_at)::int AS on_time,
       (SELECT count(*) FROM inst WHERE station = s.id AND done_at IS NOT NULL)::int AS reported,
       (SELECT count(*) FROM inst WHERE station = s.id AND status = 'verified')::int AS verified,
       (SELECT count(*) FROM lev WHERE station = s.id AND month = $1::date AND level = 'black')::int,
       (SELECT count(*) FROM lev WHERE station = s.id AND month = ($1::date - interval '1 year')::date AND level = 'black')::int,
       (SELECT count(*) FROM lev WHERE station = s.id AND month = $1::date AND level = 'red')::int,
       (SELECT count(*) FROM lev WHERE station = s.id AND month = ($1::date - interval '1 year')::date AND level = 'red')::int
FROM stations s
ORDER BY s.code;
