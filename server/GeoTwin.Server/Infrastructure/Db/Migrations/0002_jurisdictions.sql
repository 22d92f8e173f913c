-- The jurisdiction tree: city bureau > sub-bureau > station > responsibility area, with
-- communities and grids as their own kinds. `path` is the chain of ids from the root.
CREATE TABLE jurisdictions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,40}$'),
    kind        text NOT NULL CHECK (kind IN ('city_bureau', 'sub_bureau', 'station', 'responsibility_area', 'community', 'grid')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_en     text CHECK (length(name_en) <= 200),
    parent_id   bigint REFERENCES jurisdictions (id),
    path        ltree NOT NULL UNIQUE,
    boundary    geometry(MultiPolygon, 4326) CHECK (boundary IS NULL OR ST_IsValid(boundary)),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jurisdictions_path_gist ON jurisdictions USING gist (path);
CREATE INDEX jurisdictions_boundary_gist ON jurisdictions USING gist (boundary);
CREATE INDEX jurisdictions_parent ON jurisdictions (parent_id);

-- Which kind may hang under which: keeps the tree a police tree whatever writes to it.
CREATE FUNCTION jurisdictions_place() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_kind text;
    parent_path ltree;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        RAISE EXCEPTION 'jurisdiction %: moving a node to another parent is not supported; create a new node', OLD.code;
    END IF;
    IF NEW.parent_id IS NULL THEN
        IF NEW.kind <> 'city_bureau' THEN
            RAISE EXCEPTION 'jurisdiction %: only a city_bureau can be a root, a % needs a parent', NEW.code, NEW.kind
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.path := text2ltree(NEW.id::text);
        RETURN NEW;
    END IF;
    SELECT kind, path INTO parent_kind, parent_path FROM jurisdictions WHERE id = NEW.parent_id;
    IF NOT (
        (NEW.kind = 'sub_bureau' AND parent_kind = 'city_bureau') OR
        (NEW.kind = 'station' AND parent_kind IN ('city_bureau', 'sub_bureau')) OR
        (NEW.kind = 'responsibility_area' AND parent_kind = 'station') OR
        (NEW.kind = 'community' AND parent_kind IN ('station', 'sub_bureau', 'city_bureau')) OR
        (NEW.kind = 'grid' AND parent_kind IN ('community', 'responsibility_area'))
    ) THEN
        RAISE EXCEPTION 'jurisdiction %: a % cannot hang under a %', NEW.code, NEW.kind, parent_kind
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.path := parent_path || NEW.id::text;
    RETURN NEW;
END $$;

CREATE TRIGGER jurisdictions_place BEFORE INSERT OR UPDATE OF parent_id, kind ON jurisdictions
    FOR EACH ROW EXECUTE FUNCTION jurisdictions_place();
CREATE TRIGGER jurisdictions_touch BEFORE UPDATE ON jurisdictions
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Every scoped table carries jurisdiction_id and a copy of that node's path, set here on write.
CREATE FUNCTION set_jurisdiction_path() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT path INTO NEW.jurisdiction_path FROM jurisdictions WHERE id = NEW.jurisdiction_id;
    IF NEW.jurisdiction_path IS NULL THEN
        RAISE EXCEPTION '%: unknown jurisdiction_id %', TG_TABLE_NAME, NEW.jurisdiction_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$;
