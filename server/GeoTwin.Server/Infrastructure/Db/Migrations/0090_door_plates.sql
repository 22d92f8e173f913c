-- Door plates (issue #19). A plate's QR carries the address code, the plate version and an HMAC of both under the
-- server's plate key, so a plate cannot be made for a code GeoTwin never printed, and reissuing a plate (version + 1)
-- revokes every plate printed before it.

-- The plate key, made once per database so every node signs alike; GeoTwin:Plates:Key in configuration overrides it.
-- gen_random_uuid() draws from pg_strong_random: two of them give 32 bytes (a few fixed version bits, harmless for HMAC).
CREATE TABLE plate_key (
    id   smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    key  bytea NOT NULL
);
INSERT INTO plate_key (key) VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- No row: the address's plate is version 1, never reissued.
CREATE TABLE address_plates (
    address_id    bigint PRIMARY KEY REFERENCES addresses (id) ON DELETE CASCADE,
    version       integer NOT NULL CHECK (version >= 1),
    reissued_by   text NOT NULL CHECK (length(reissued_by) <= 64),
    reissued_at   timestamptz NOT NULL DEFAULT now()
);

-- Staff reissue plates in their own scoped session: the address row's policy decides which ones.
GRANT SELECT, INSERT, UPDATE ON address_plates TO geotwin_scoped;
ALTER TABLE address_plates ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON address_plates TO geotwin_scoped
    USING (EXISTS (SELECT 1 FROM addresses a WHERE a.id = address_id))
    WITH CHECK (EXISTS (SELECT 1 FROM addresses a WHERE a.id = address_id));
