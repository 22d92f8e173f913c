-- Resident registration through the door plate (issue #19, 人来登记、人走注销): residents declare arrivals and
-- departures at their address, the landlord of the house confirms, the community officer approves; approval
-- registers the person (or ends the registration) and the house's counts follow in the same transaction.

-- A floating resident counted in a house (house visit, import) need not be registered (居住登记) yet: NULL here.
-- The registration rate is floating residents with a registration over floating residents counted.
-- registration_due_on: the day the registration was due (N working days after the arrival, the declaration's due
-- day); registered on or before it is "timely" in the registration-rate figures.
ALTER TABLE people ADD COLUMN registered_on date, ADD COLUMN registration_due_on date;
UPDATE people SET registered_on = arrived_on;

-- The house's counts follow its people rows: one rule, in the same transaction as the change, whoever writes the
-- row. SECURITY DEFINER because the officer approving a declaration may write people but not the house row.
CREATE FUNCTION people_count_in_house() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    was_live boolean := TG_OP <> 'INSERT' AND OLD.left_on IS NULL;
    is_live  boolean := TG_OP <> 'DELETE' AND NEW.left_on IS NULL;
BEGIN
    IF was_live THEN
        UPDATE houses SET residents_total = residents_total - 1,
                          residents_registered = residents_registered - (NOT OLD.floating)::int,
                          residents_floating = residents_floating - OLD.floating::int,
                          residents_foreign = residents_foreign - OLD.foreign_national::int
        WHERE id = OLD.house_id;
    END IF;
    IF is_live THEN
        UPDATE houses SET residents_total = residents_total + 1,
                          residents_registered = residents_registered + (NOT NEW.floating)::int,
                          residents_floating = residents_floating + NEW.floating::int,
                          residents_foreign = residents_foreign + NEW.foreign_national::int
        WHERE id = NEW.house_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER people_counts AFTER INSERT OR DELETE OR UPDATE OF left_on, floating, foreign_national, house_id ON people
    FOR EACH ROW EXECUTE FUNCTION people_count_in_house();

-- Who is asking, for the policies below that tell one resident from another (set by the registration store in
-- every session it opens; unset, no resident row matches).
CREATE FUNCTION geotwin_user_id() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('geotwin.user_id', true), '')::bigint
$$;

-- Resident accounts: the name and phone they registered with, and the address they asked to be linked to (the
-- plate they registered at). The officer links them (resident_addresses) or creates them linked.
CREATE TABLE resident_profiles (
    user_id            bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    full_name          text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 100),
    phone              text NOT NULL CHECK (phone ~ '^\+?[0-9 -]{5,20}$'),
    asked_address_id   bigint REFERENCES addresses (id),
    created_by         text NOT NULL CHECK (length(created_by) <= 64),
    created_at         timestamptz NOT NULL DEFAULT now(),
    linked_by          text CHECK (length(linked_by) <= 64),
    linked_at          timestamptz,
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL
);
CREATE INDEX resident_profiles_jurisdiction_gist ON resident_profiles USING gist (jurisdiction_path);
CREATE TRIGGER resident_profiles_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON resident_profiles
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();

-- The landlord of a house is a resident account: they confirm the tenants declared there.
CREATE TABLE house_landlords (
    house_id  bigint NOT NULL REFERENCES houses (id),
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (house_id, user_id)
);
CREATE INDEX house_landlords_user ON house_landlords (user_id);

-- A declaration holds the identity it declares (personal data): its readers are the personal-data roles of the
-- jurisdiction, the resident who made it and the landlord of its house (policy below).
CREATE TABLE declarations (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('arrival', 'departure')),
    subject            text NOT NULL CHECK (subject IN ('self', 'tenant')),
    address_id         bigint NOT NULL REFERENCES addresses (id),
    house_id           bigint NOT NULL REFERENCES houses (id),
    -- departure: the registration it ends; arrival: the registration its approval made
    person_id          bigint REFERENCES people (id),
    full_name          text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 100),
    id_number          text NOT NULL CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
    phone              text CHECK (phone ~ '^\+?[0-9 -]{5,20}$'),
    foreign_national   boolean NOT NULL DEFAULT false,
    arrived_on         date NOT NULL,
    expected_leave_on  date,
    left_on            date,
    due_on             date NOT NULL,
    status             text NOT NULL CHECK (status IN ('awaiting_landlord', 'awaiting_officer', 'approved', 'rejected', 'sent_back')),
    declared_by        bigint NOT NULL REFERENCES users (id),
    declared_by_name   text NOT NULL CHECK (length(declared_by_name) <= 64),
    declared_at        timestamptz NOT NULL DEFAULT now(),
    decided_at         timestamptz,
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    CHECK (expected_leave_on IS NULL OR expected_leave_on >= arrived_on),
    CHECK ((kind = 'departure') = (left_on IS NOT NULL)),
    CHECK (left_on IS NULL OR left_on >= arrived_on)
);
CREATE INDEX declarations_jurisdiction_gist ON declarations USING gist (jurisdiction_path);
CREATE INDEX declarations_address ON declarations (address_id, declared_at);
CREATE INDEX declarations_declared_by ON declarations (declared_by);
CREATE INDEX declarations_waiting ON declarations (status) WHERE status IN ('awaiting_landlord', 'awaiting_officer');
-- one open declaration of a kind per person and house: a second arrival while the first waits is refused
CREATE UNIQUE INDEX declarations_one_open ON declarations (house_id, id_number, kind) WHERE status IN ('awaiting_landlord', 'awaiting_officer');
CREATE TRIGGER declarations_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON declarations
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();

-- Every declaration and decision: who and when (the address's history).
CREATE TABLE declaration_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    declaration_id  bigint NOT NULL REFERENCES declarations (id),
    action          text NOT NULL CHECK (action IN ('declared', 'confirmed', 'rejected', 'approved', 'sent_back')),
    reason          text CHECK (length(reason) BETWEEN 1 AND 500),
    by_user_id      bigint REFERENCES users (id),
    by_name         text NOT NULL CHECK (length(by_name) <= 64),
    by_role         text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX declaration_events_declaration ON declaration_events (declaration_id, at);
CREATE TRIGGER declaration_events_append_only BEFORE UPDATE OR DELETE ON declaration_events
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- The registration (not left) of the person with this ID number in the house, if any: residents declaring a
-- departure (and the duplicate-arrival check) ask it without reading anybody's identity. The house must be one the
-- caller sees.
CREATE FUNCTION registered_person_at(p_house bigint, p_id_number text) RETURNS TABLE (person_id bigint, arrived_on date, registered boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT p.id, p.arrived_on, p.registered_on IS NOT NULL FROM people p JOIN people_identity i ON i.person_id = p.id
    WHERE p.house_id = p_house AND p.left_on IS NULL AND i.id_number = p_id_number
      AND EXISTS (SELECT 1 FROM houses h WHERE h.id = p_house AND h.jurisdiction_path <@ geotwin_scope())
    ORDER BY p.id LIMIT 1
$$;
REVOKE ALL ON FUNCTION registered_person_at(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION registered_person_at(bigint, text) TO geotwin_scoped;

GRANT SELECT, INSERT, UPDATE (status, decided_at, person_id) ON declarations TO geotwin_scoped;
GRANT SELECT, INSERT ON declaration_events TO geotwin_scoped;
GRANT SELECT ON house_landlords TO geotwin_scoped;
GRANT SELECT ON resident_profiles TO geotwin_scoped;
GRANT UPDATE (linked_by, linked_at) ON resident_profiles TO geotwin_personal;
GRANT INSERT ON resident_addresses TO geotwin_personal;
GRANT INSERT ON house_landlords TO geotwin_personal;
-- approval registers the person (or ends the registration): community officers and the other personal-data roles
GRANT INSERT, UPDATE (left_on, registered_on, registration_due_on, expected_leave_on) ON people TO geotwin_personal;
GRANT INSERT ON people_identity TO geotwin_personal;
GRANT USAGE ON SEQUENCE declarations_id_seq, declaration_events_id_seq TO geotwin_scoped;
GRANT USAGE ON SEQUENCE people_id_seq TO geotwin_personal;

ALTER TABLE declarations ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON declarations TO geotwin_scoped
    USING (jurisdiction_path <@ geotwin_scope() AND (
        current_user = 'geotwin_personal'
        OR declared_by = geotwin_user_id()
        OR EXISTS (SELECT 1 FROM house_landlords l WHERE l.house_id = declarations.house_id AND l.user_id = geotwin_user_id())))
    WITH CHECK (jurisdiction_path <@ geotwin_scope() AND (
        current_user = 'geotwin_personal'
        OR declared_by = geotwin_user_id()
        OR EXISTS (SELECT 1 FROM house_landlords l WHERE l.house_id = declarations.house_id AND l.user_id = geotwin_user_id())));
ALTER TABLE declaration_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON declaration_events TO geotwin_scoped
    USING (EXISTS (SELECT 1 FROM declarations d WHERE d.id = declaration_id))
    WITH CHECK (EXISTS (SELECT 1 FROM declarations d WHERE d.id = declaration_id));
ALTER TABLE house_landlords ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON house_landlords TO geotwin_scoped
    USING (EXISTS (SELECT 1 FROM houses h WHERE h.id = house_id))
    WITH CHECK (EXISTS (SELECT 1 FROM houses h WHERE h.id = house_id));
ALTER TABLE resident_profiles ENABLE ROW LEVEL SECURITY;
-- staff of the jurisdiction with personal data see the residents there; a resident sees their own
CREATE POLICY scope ON resident_profiles TO geotwin_scoped
    USING (jurisdiction_path <@ geotwin_scope() AND (current_user = 'geotwin_personal' OR user_id = geotwin_user_id()));
-- writes on people, people_identity and resident_addresses: their 0009 policies name no command, so they hold
-- for INSERT and UPDATE too and keep the writes inside the caller's scope.
