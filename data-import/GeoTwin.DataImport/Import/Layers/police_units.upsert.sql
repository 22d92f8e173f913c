-- Staged units by call sign; status and positions are live data, not the file's. Returns (inserted, updated).
WITH upserted AS (
    INSERT INTO police_units (call_sign, kind, device_id, capabilities, jurisdiction_id)
    SELECT call_sign, kind, device_id, coalesce(capabilities, '{}'), jurisdiction_id FROM import_staging
    ON CONFLICT (call_sign) DO UPDATE SET
        kind = EXCLUDED.kind, device_id = EXCLUDED.device_id, capabilities = EXCLUDED.capabilities,
        jurisdiction_id = EXCLUDED.jurisdiction_id
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
