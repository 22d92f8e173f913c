-- Events raised by the engine, with the fence's path (what scopes the event) at the time; returns what was stored
-- (an event of a fence deleted meanwhile is not) for the live push and the webhooks.
INSERT INTO geofence_events (fence_id, fence_name, unit_id, rule, at, location, jurisdiction_path)
SELECT e.fence_id, e.fence_name, e.unit_id, e.rule, e.at, ST_SetSRID(ST_MakePoint(e.lon, e.lat), 4326), f.jurisdiction_path
FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::timestamptz[], $6::float8[], $7::float8[])
     AS e(fence_id, fence_name, unit_id, rule, at, lon, lat)
JOIN geofences f ON f.id = e.fence_id
RETURNING id, fence_id, fence_name, unit_id, rule, at, ST_X(location), ST_Y(location), jurisdiction_path::text
