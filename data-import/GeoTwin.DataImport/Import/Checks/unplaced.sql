-- Rows place.sql could not hang anywhere: each says why.
UPDATE import_staging s SET
    bad_field = CASE WHEN s.jurisdiction_code IS NOT NULL THEN 'jurisdiction_code' ELSE 'geometry' END,
    bad_reason = CASE
        WHEN s.jurisdiction_code IS NOT NULL THEN 'no jurisdiction with code ''' || s.jurisdiction_code || ''''
        WHEN s.geom IS NULL THEN 'no position and no jurisdiction_code: the row cannot be placed in a station'
        ELSE 'outside every police station (' || ST_AsText(coalesce(s.anchor, s.geom), 6)
             || '); load the station boundaries first, or name a jurisdiction for such rows in the mapping'
    END
WHERE s.jurisdiction_id IS NULL AND s.bad_reason IS NULL
