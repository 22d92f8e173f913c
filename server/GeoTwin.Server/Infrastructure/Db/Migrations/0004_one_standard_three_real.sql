-- 一标三实: standard addresses and the real houses, people and organizations at them
-- (field meanings in shared/DOMAIN.md, element types from GA/T 2000.32).
-- jurisdiction_id is the deepest police node the row belongs to (responsibility area, else station);
-- the station is that node's station ancestor. community_id is the civil community for counting.

CREATE TABLE addresses (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9-]{8,64}$'),
    element_type       smallint NOT NULL CHECK (element_type IN (11, 12, 13, 21, 22, 23, 31, 33, 34, 41, 42, 43, 44, 50, 61, 62)),
    parent_code        text REFERENCES addresses (code) DEFERRABLE INITIALLY DEFERRED,
    full_text          text NOT NULL CHECK (length(full_text) BETWEEN 1 AND 500),
    door_number        text CHECK (length(door_number) <= 50),
    location           geometry(Point, 4326) NOT NULL,
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    community_id       bigint REFERENCES jurisdictions (id),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    cancelled_by       text,
    cancelled_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancelled_by IS NOT NULL))
);
CREATE INDEX addresses_location_gist ON addresses USING gist (location);
CREATE INDEX addresses_jurisdiction_gist ON addresses USING gist (jurisdiction_path);
CREATE INDEX addresses_text_trgm ON addresses USING gin (full_text gin_trgm_ops);
CREATE INDEX addresses_parent ON addresses (parent_code);
CREATE TRIGGER addresses_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON addresses
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER addresses_touch BEFORE UPDATE ON addresses FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE houses (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                 text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9-]{1,64}$'),
    address_id           bigint REFERENCES addresses (id),
    footprint            geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(footprint)),
    base_height_m        real NOT NULL DEFAULT 0 CHECK (base_height_m BETWEEN -100 AND 1000),
    roof_height_m        real NOT NULL CHECK (roof_height_m BETWEEN -100 AND 1000),
    floors               smallint CHECK (floors BETWEEN 1 AND 200),
    use                  text NOT NULL DEFAULT 'residential'
                         CHECK (use IN ('residential', 'commercial', 'office', 'mixed', 'hotel', 'public', 'industrial', 'religious', 'other')),
    ownership            text CHECK (ownership IN ('private', 'public', 'collective', 'rented', 'other')),
    rooms                integer CHECK (rooms >= 0),
    area_m2              real CHECK (area_m2 >= 0),
    residents_total      integer NOT NULL DEFAULT 0 CHECK (residents_total >= 0),
    residents_registered integer NOT NULL DEFAULT 0 CHECK (residents_registered >= 0),
    residents_floating   integer NOT NULL DEFAULT 0 CHECK (residents_floating >= 0),
    residents_foreign    integer NOT NULL DEFAULT 0 CHECK (residents_foreign >= 0),
    jurisdiction_id      bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path    ltree NOT NULL,
    community_id         bigint REFERENCES jurisdictions (id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (roof_height_m > base_height_m),
    -- registered (户籍) and floating residents are the two parts of the total; foreign ones are among the floating
    CHECK (residents_registered + residents_floating = residents_total),
    CHECK (residents_foreign <= residents_floating)
);
CREATE INDEX houses_footprint_gist ON houses USING gist (footprint);
CREATE INDEX houses_jurisdiction_gist ON houses USING gist (jurisdiction_path);
CREATE INDEX houses_address ON houses (address_id);
CREATE TRIGGER houses_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON houses
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER houses_touch BEFORE UPDATE ON houses FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- A person's registration at a house holds no identity: that lives in people_identity, which only
-- roles that read personal data reach, through the audited API.
CREATE TABLE people (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    house_id            bigint NOT NULL REFERENCES houses (id),
    floating            boolean NOT NULL,
    foreign_national    boolean NOT NULL DEFAULT false,
    arrived_on          date NOT NULL,
    expected_leave_on   date,
    left_on             date,
    registered_by       text NOT NULL,
    jurisdiction_id     bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path   ltree NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (expected_leave_on IS NULL OR expected_leave_on >= arrived_on),
    CHECK (left_on IS NULL OR left_on >= arrived_on)
);
CREATE INDEX people_house ON people (house_id) WHERE left_on IS NULL;
CREATE INDEX people_jurisdiction_gist ON people USING gist (jurisdiction_path);
CREATE TRIGGER people_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON people
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER people_touch BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE people_identity (
    person_id       bigint PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    full_name       text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 100),
    -- 18-character resident ID (last character may be X) or a passport number for foreigners
    id_number       text CHECK (id_number ~ '^[0-9A-Za-z]{6,20}$'),
    phone           text CHECK (phone ~ '^\+?[0-9 -]{5,20}$'),
    hukou_address   text CHECK (length(hukou_address) <= 300),
    nationality     text CHECK (nationality ~ '^[A-Z]{3}$')
);

CREATE TABLE organizations (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9-]{1,64}$'),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category           text NOT NULL CHECK (category IN ('hotel', 'scenic_spot', 'shop', 'restaurant', 'company', 'school',
                                                         'hospital', 'bank', 'entertainment', 'government', 'religious', 'other')),
    address_id         bigint REFERENCES addresses (id),
    location           geometry(Point, 4326) NOT NULL,
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    community_id       bigint REFERENCES jurisdictions (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organizations_location_gist ON organizations USING gist (location);
CREATE INDEX organizations_jurisdiction_gist ON organizations USING gist (jurisdiction_path);
CREATE INDEX organizations_name_trgm ON organizations USING gin (name gin_trgm_ops);
CREATE TRIGGER organizations_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON organizations
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER organizations_touch BEFORE UPDATE ON organizations FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The responsible person and phone are personal data: kept apart like people_identity.
CREATE TABLE organization_contacts (
    organization_id     bigint PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    responsible_person  text CHECK (length(responsible_person) <= 100),
    phone               text CHECK (phone ~ '^\+?[0-9 -]{5,20}$')
);

-- A resident reaches only the QR pages of the addresses linked to them.
CREATE TABLE resident_addresses (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address_id  bigint NOT NULL REFERENCES addresses (id),
    PRIMARY KEY (user_id, address_id)
);
