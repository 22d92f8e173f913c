-- The same code rules, checked about eight times faster: PostgreSQL's regex engine runs a bounded repeat
-- like [A-Za-z0-9-]{8,64} as a large automaton (about 2.5 µs a row), which was a third of the cost of
-- writing a million imported addresses. A length test plus an unbounded class accepts exactly the same
-- codes (the class admits only ASCII, so characters and length agree). Same constraint names as before.
ALTER TABLE jurisdictions DROP CONSTRAINT jurisdictions_code_check,
    ADD CONSTRAINT jurisdictions_code_check CHECK (length(code) BETWEEN 1 AND 40 AND code ~ '^[A-Za-z0-9_-]+$');
ALTER TABLE addresses DROP CONSTRAINT addresses_code_check,
    ADD CONSTRAINT addresses_code_check CHECK (length(code) BETWEEN 8 AND 64 AND code ~ '^[A-Za-z0-9-]+$');
ALTER TABLE houses DROP CONSTRAINT houses_code_check,
    ADD CONSTRAINT houses_code_check CHECK (length(code) BETWEEN 1 AND 64 AND code ~ '^[A-Za-z0-9-]+$');
ALTER TABLE organizations DROP CONSTRAINT organizations_code_check,
    ADD CONSTRAINT organizations_code_check CHECK (length(code) BETWEEN 1 AND 64 AND code ~ '^[A-Za-z0-9-]+$');
ALTER TABLE police_units DROP CONSTRAINT police_units_device_id_check,
    ADD CONSTRAINT police_units_device_id_check CHECK (length(device_id) BETWEEN 1 AND 40 AND device_id ~ '^[A-Za-z0-9_-]+$');
ALTER TABLE incidents DROP CONSTRAINT incidents_code_check,
    ADD CONSTRAINT incidents_code_check CHECK (length(code) BETWEEN 1 AND 40 AND code ~ '^[A-Za-z0-9_-]+$');
