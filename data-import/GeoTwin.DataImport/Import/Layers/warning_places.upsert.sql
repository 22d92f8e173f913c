-- Staged warning places by their code, and their responsible people from the same rows. Returns (inserted, updated)
-- places. A place named again gets the row's people (others of that place are removed); a row naming no one leaves
-- the people stored. One statement: the people CTEs read the places' RETURNING, so new places have their ids, and
-- every CTE sees the people as stored before it (a person renamed is updated, one new is inserted, one gone deleted).
WITH places AS (
    INSERT INTO warning_places (code, kind, name, name_en, boundary, street, source, jurisdiction_id)
    SELECT code, kind, name, name_en, ST_Force2D(geom), ST_Multi(ST_GeomFromText(street, 4326)), 'import', jurisdiction_id FROM import_staging
    ON CONFLICT (code) DO UPDATE SET
        kind = EXCLUDED.kind, name = EXCLUDED.name, name_en = EXCLUDED.name_en, boundary = EXCLUDED.boundary,
        street = EXCLUDED.street, source = EXCLUDED.source, jurisdiction_id = EXCLUDED.jurisdiction_id
    RETURNING xmax = 0 AS inserted, id, code
), named AS (
    SELECT p.id AS place_id, x.role, x.full_name, x.phone
    FROM import_staging s JOIN places p ON p.code = s.code
    CROSS JOIN LATERAL (VALUES
        ('community_officer', s.community_officer, s.community_officer_phone),
        ('station_leader', s.station_leader, s.station_leader_phone),
        ('property_manager', s.property_manager, s.property_manager_phone),
        ('security_chief', s.security_chief, s.security_chief_phone),
        ('village_head', s.village_head, s.village_head_phone),
        ('patrol_leader', s.patrol_leader, s.patrol_leader_phone)
    ) AS x(role, full_name, phone)
    WHERE x.full_name IS NOT NULL
), gone AS (
    DELETE FROM warning_place_people w
    WHERE w.place_id IN (SELECT place_id FROM named)
      AND NOT EXISTS (SELECT 1 FROM named n WHERE n.place_id = w.place_id AND n.role = w.role AND n.phone = w.phone)
), renamed AS (
    UPDATE warning_place_people w SET full_name = n.full_name FROM named n
    WHERE w.place_id = n.place_id AND w.role = n.role AND w.phone = n.phone AND w.full_name <> n.full_name
), people AS (
    -- Not an upsert: the bulk path's insert-only form (Importer.InsertOnlySql) must hold no conflict clause, and every
    -- CTE sees the people stored before this statement, so only those not stored yet go in.
    INSERT INTO warning_place_people (place_id, role, full_name, phone)
    SELECT n.place_id, n.role, n.full_name, n.phone FROM named n
    WHERE NOT EXISTS (SELECT 1 FROM warning_place_people w WHERE w.place_id = n.place_id AND w.role = n.role AND w.phone = n.phone)
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM places
