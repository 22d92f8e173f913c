-- Jurisdiction scoping and personal-data access, enforced by PostgreSQL for every request-time read.
-- A request runs in a transaction as geotwin_scoped (or geotwin_personal, for roles that read personal
-- data) with the user's place in the tree in the setting geotwin.scope; row-level security keeps every
-- query, whichever endpoint sent it, inside that subtree. GeoTwin's own login bypasses RLS as owner,
-- for imports, migrations and jobs.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geotwin_scoped') THEN
        CREATE ROLE geotwin_scoped NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geotwin_personal') THEN
        CREATE ROLE geotwin_personal NOLOGIN IN ROLE geotwin_scoped;
    END IF;
END $$;
GRANT geotwin_scoped, geotwin_personal TO CURRENT_USER;

-- '*' is everything (admins, the city bureau); unset or empty is nothing.
CREATE FUNCTION geotwin_scope() RETURNS ltree LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE coalesce(current_setting('geotwin.scope', true), '')
               WHEN '*' THEN ''::ltree
               WHEN '' THEN 'none'::ltree
               ELSE current_setting('geotwin.scope', true)::ltree
           END
$$;

GRANT USAGE ON SCHEMA public TO geotwin_scoped;
GRANT SELECT ON jurisdictions, roles, roads, tilesets, addresses, houses, people, organizations, cameras,
                police_units, unit_status_events, unit_positions, incidents, incident_events, resident_addresses
    TO geotwin_scoped;
GRANT SELECT ON people_identity, organization_contacts, incident_callers TO geotwin_personal;
-- Personal reads are audited in the same transaction as the read.
GRANT INSERT ON audit_log TO geotwin_scoped;

ALTER TABLE addresses ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON addresses TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE houses ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON houses TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE people ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON people TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON organizations TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE cameras ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON cameras TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE police_units ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON police_units TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON incidents TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());

-- Rows without a path of their own follow their parent row, whose own policy applies in the subquery.
ALTER TABLE people_identity ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON people_identity TO geotwin_scoped USING (EXISTS (SELECT 1 FROM people p WHERE p.id = person_id));
ALTER TABLE organization_contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON organization_contacts TO geotwin_scoped USING (EXISTS (SELECT 1 FROM organizations o WHERE o.id = organization_id));
ALTER TABLE incident_callers ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON incident_callers TO geotwin_scoped USING (EXISTS (SELECT 1 FROM incidents i WHERE i.id = incident_id));
ALTER TABLE incident_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON incident_events TO geotwin_scoped USING (EXISTS (SELECT 1 FROM incidents i WHERE i.id = incident_id));
ALTER TABLE unit_status_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON unit_status_events TO geotwin_scoped USING (EXISTS (SELECT 1 FROM police_units u WHERE u.id = unit_id));
ALTER TABLE unit_positions ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON unit_positions TO geotwin_scoped USING (EXISTS (SELECT 1 FROM police_units u WHERE u.id = unit_id));
ALTER TABLE resident_addresses ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON resident_addresses TO geotwin_scoped USING (EXISTS (SELECT 1 FROM addresses a WHERE a.id = address_id));
-- The audit log takes rows from scoped sessions but shows them to none: admins search it as owner.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY write_only ON audit_log FOR INSERT TO geotwin_scoped WITH CHECK (true);

-- Sign-in lookups by name are exact; user listing by jurisdiction.
CREATE INDEX users_jurisdiction ON users (jurisdiction_id);
CREATE INDEX api_tokens_active ON api_tokens (token_hash) WHERE revoked_at IS NULL;
