-- A checked batch of counts, all in the caller's transaction.
INSERT INTO crowd_counts (area_id, sensor_id, at, count, entered, exited)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::int[], $5::int[], $6::int[])
