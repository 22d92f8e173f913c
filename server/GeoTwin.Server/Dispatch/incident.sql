SELECT i.id, i.code, i.category, i.priority, i.status, ST_X(i.location), ST_Y(i.location), i.jurisdiction_path::text,
       j.name, i.received_at, i.first_dispatch_at, i.first_arrival_at, i.closed_at, i.description, i.disposition,
       (SELECT code FROM incidents m WHERE m.id = i.merged_into)
FROM incidents i
JOIN jurisdictions j ON j.id = i.jurisdiction_id
WHERE i.code = $1;
