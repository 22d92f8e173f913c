-- The unique constraint on a table's natural key ($2), when it is not the primary key, and the foreign keys that
-- lean on its index (addresses.parent_code references addresses.code): how to drop each and add it again. A bulk
-- load whose keys are all new drops them, inserts without ON CONFLICT, and adds them back, which builds the
-- unique index by one sort and checks the references by one join instead of a million lookups each.
-- Rows come in drop order (foreign keys first); the importer adds them back in the reverse order.
WITH key AS (
    SELECT c.oid, c.conname, c.conindid
    FROM pg_constraint c
    WHERE c.conrelid = $1::regclass AND c.contype = 'u'
      AND c.conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2)]::int2[]
), dependants AS (
    SELECT 0 AS step, f.conrelid, f.conname, f.oid FROM pg_constraint f JOIN key ON f.contype = 'f' AND f.conindid = key.conindid
    UNION ALL
    SELECT 1, $1::regclass, key.conname, key.oid FROM key
)
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
FROM dependants
ORDER BY step, conname;
