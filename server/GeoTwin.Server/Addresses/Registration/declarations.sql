-- Declarations the caller may see (row-level security: their jurisdiction, and for a resident their own or their
-- houses' tenants), filtered by $1 address code, $2 declared by, $3 statuses, $4 id; newest first, at most $5.
-- Overdue: declared after its due day, or still waiting when the due day has passed (on the bureau's clock).
SELECT d.id, d.kind, d.subject, a.code, a.full_text, h.code, d.house_id, d.full_name, d.id_number, d.phone, d.foreign_national,
       d.arrived_on, d.expected_leave_on, d.left_on, d.due_on,
       (d.declared_at AT TIME ZONE z.tz)::date > d.due_on
         OR (d.status IN ('awaiting_landlord', 'awaiting_officer') AND (now() AT TIME ZONE z.tz)::date > d.due_on),
       d.status, d.declared_by_name, d.declared_at, d.decided_at,
       coalesce((SELECT json_agg(json_build_object('action', e.action, 'reason', e.reason, 'byName', e.by_name, 'byRole', e.by_role, 'at', e.at)
                                ORDER BY e.at, e.id)
                 FROM declaration_events e WHERE e.declaration_id = d.id), '[]'::json)::text
FROM declarations d
JOIN addresses a ON a.id = d.address_id
JOIN houses h ON h.id = d.house_id
CROSS JOIN LATERAL (SELECT coalesce((SELECT j.time_zone FROM jurisdictions j
                                     WHERE j.path @> d.jurisdiction_path AND j.time_zone IS NOT NULL
                                     ORDER BY nlevel(j.path) DESC LIMIT 1), 'UTC') AS tz) z
WHERE ($1::text IS NULL OR a.code = $1)
  AND ($2::bigint IS NULL OR d.declared_by = $2)
  AND ($3::text[] IS NULL OR d.status = ANY($3))
  AND ($4::bigint IS NULL OR d.id = $4)
ORDER BY d.declared_at DESC, d.id DESC
LIMIT $5;
