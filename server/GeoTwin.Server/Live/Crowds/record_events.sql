-- Level changes of a batch: the areas' new levels, and one event each with the area's path at the time. Returns the
-- events for the reply and the live push.
WITH e AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::timestamptz[]) AS e(area_id, level, previous_level, count, at)),
moved AS (
    UPDATE crowd_areas a SET level = e.level, level_since = e.at FROM e WHERE a.id = e.area_id
    RETURNING a.id, a.name, a.capacity, a.jurisdiction_path, e.level, e.previous_level, e.count, e.at)
INSERT INTO crowd_events (area_id, area_name, level, previous_level, count, capacity, at, jurisdiction_path)
SELECT id, name, level, previous_level, count, capacity, at, jurisdiction_path FROM moved
RETURNING id, area_id, area_name, level, previous_level, count, capacity, at, jurisdiction_path::text
