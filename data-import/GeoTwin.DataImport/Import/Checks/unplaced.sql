-- Rows the tree could not hang anywhere: each says why. A row whose position or named station could not be read
-- (place_unknown) already has that reason; where it lies is unknown, so nothing is said about it here.
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, CASE WHEN s.jurisdiction_code IS NOT NULL THEN 'jurisdiction_code' ELSE 'geometry' END),
    bad_reasons = array_append(s.bad_reasons, CASE
        WHEN s.jurisdiction_code IS NOT NULL THEN 'no jurisdiction with code ''' || s.jurisdiction_code || ''''
        WHEN s.geom IS NULL THEN 'no position and no jurisdiction_code: the row cannot be placed in a station'
        ELSE 'outside every police station (' || ST_AsText(coalesce(s.anchor, s.geom), 6)
             || '); load the station boundaries first, or name a jurisdiction for such rows in the mapping'
    END)
WHERE s.jurisdiction_id IS NULL AND NOT s.place_unknown
