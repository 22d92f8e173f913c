-- The bureau's clock for a hot spot request: the time zone of the nearest jurisdiction, at or above the one asked
-- about, that names one (jurisdictions.time_zone, NULL = as the parent). $1 a jurisdiction code narrowing the request
-- (NULL: none), taken only if inside the caller's scope; $2 the caller's own jurisdiction path, used otherwise (an
-- admin's too: the bureau the account belongs to). No row: the server's configured default applies.
WITH target AS (
    SELECT coalesce((SELECT path FROM jurisdictions WHERE code = $1::text AND path <@ geotwin_scope()), $2::text::ltree) AS path
)
SELECT j.time_zone
FROM jurisdictions j, target t
WHERE j.time_zone IS NOT NULL AND j.path @> t.path
ORDER BY nlevel(j.path) DESC
LIMIT 1;
