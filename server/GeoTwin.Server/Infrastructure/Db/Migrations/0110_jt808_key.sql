-- The JT/T 808 gateway's key (issue #21): a terminal's authentication code is an HMAC of its phone number under it,
-- so no code is stored per terminal and every node of a cluster hands out and accepts the same codes.
CREATE TABLE jt808_key (
    id   smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    key  bytea NOT NULL
);
INSERT INTO jt808_key (key) VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
