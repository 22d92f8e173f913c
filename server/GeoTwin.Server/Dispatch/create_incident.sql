-- $1 category, $2 priority, $3 description, $4 lon, $5 lat, $6 address code, $7 source, $8 jurisdiction, $9 community,
-- $10 when the call came in (a call entered late), null: now
INSERT INTO incidents (code, category, priority, description, location, address_id, source, jurisdiction_id, community_id, received_at)
VALUES ('I' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS') || '-' || lpad(floor(random() * 1000000)::text, 6, '0'),
        $1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), (SELECT id FROM addresses WHERE code = $6), $7, $8, $9,
        coalesce($10::timestamptz, now()))
RETURNING id, code;
