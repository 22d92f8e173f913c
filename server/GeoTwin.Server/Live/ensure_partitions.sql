-- Today's and tomorrow's partitions exist before their first fix, so fixes never pile up in the default one.
SELECT ensure_unit_positions_partition((now() AT TIME ZONE 'UTC')::date),
       ensure_unit_positions_partition((now() AT TIME ZONE 'UTC')::date + 1);
