-- A scoped import (an import token, a station's user) writes only inside its subtree ($1, an ltree path; $2 its
-- code): a row placed in a jurisdiction outside it is bad, and so is a row whose key is already stored outside it
-- (its upsert would rewrite, or move into the caller's station, another station's row).
-- {table} and {key} come from the server-side layer list.
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, o.field),
    bad_reasons = array_append(s.bad_reasons, o.reason)
FROM (
    SELECT s.row_no,
           CASE WHEN stored.path IS NOT NULL AND NOT stored.path <@ $1::ltree THEN '{key}'
                WHEN s.jurisdiction_code IS NOT NULL THEN 'jurisdiction_code' ELSE 'geometry' END AS field,
           CASE WHEN stored.path IS NOT NULL AND NOT stored.path <@ $1::ltree
                THEN '{key} ''' || s.{key} || ''' is stored in ' || stored.code || ', outside your jurisdiction ' || $2
                ELSE 'in ' || placed.code || ', outside your jurisdiction ' || $2 END AS reason
    FROM import_staging s
    LEFT JOIN jurisdictions placed ON placed.id = s.jurisdiction_id
    LEFT JOIN {table} t ON t.{key} = s.{key}
    LEFT JOIN jurisdictions stored ON stored.id = t.jurisdiction_id
    WHERE (NOT placed.path <@ $1::ltree OR NOT stored.path <@ $1::ltree)
) o
WHERE o.row_no = s.row_no
