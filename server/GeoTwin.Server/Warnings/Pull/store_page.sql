-- One page of platform records into ordinary incidents (source call_platform), in the run's transaction.
-- $1 connector, $2.. parallel arrays: number, category, lon, lat, received_at, description, priority.
-- A number this connector has stored before is a duplicate; a point no police node covers is outside. The rest become
-- incidents in the deepest police node covering them (the rule of Dispatch's jurisdiction_at.sql), with an intake
-- event and their number in pulled_incidents. Returns every record's outcome: the incident id, 'duplicate' or 'outside'.
WITH input AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::timestamptz[], $7::text[], $8::int2[])
        WITH ORDINALITY AS r(number, category, lon, lat, received_at, description, priority, n)
), placed AS (
    SELECT r.*, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) AS location,
           EXISTS (SELECT 1 FROM pulled_incidents p WHERE p.connector = $1 AND p.number = r.number) AS duplicate,
           (SELECT j.id FROM jurisdictions j
             WHERE j.kind IN ('city_bureau', 'sub_bureau', 'station', 'responsibility_area')
               AND ST_Covers(j.boundary, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326))
             ORDER BY nlevel(j.path) DESC LIMIT 1) AS jurisdiction_id,
           (SELECT c.id FROM jurisdictions c
             WHERE c.kind = 'community' AND ST_Covers(c.boundary, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326))
             ORDER BY nlevel(c.path) DESC LIMIT 1) AS community_id
    FROM input r
), inserted AS (
    INSERT INTO incidents (code, category, priority, description, location, received_at, source, jurisdiction_id, community_id)
    SELECT 'CP-' || number, category, priority, description, location, received_at, 'call_platform', jurisdiction_id, community_id
    FROM placed WHERE NOT duplicate AND jurisdiction_id IS NOT NULL
    ORDER BY n
    RETURNING id, code
), linked AS (
    INSERT INTO pulled_incidents (connector, number, incident_id)
    SELECT $1, substr(code, 4), id FROM inserted
), intake AS (
    INSERT INTO incident_events (incident_id, actor, kind, details)
    SELECT id, 'call_platform', 'intake', jsonb_build_object('source', 'call_platform', 'connector', $1) FROM inserted
)
SELECT p.n, i.id, CASE WHEN p.duplicate THEN 'duplicate' WHEN p.jurisdiction_id IS NULL THEN 'outside' END
FROM placed p LEFT JOIN inserted i ON i.code = 'CP-' || p.number
ORDER BY p.n;
