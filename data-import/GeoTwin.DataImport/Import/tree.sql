-- The tree as placement needs it: every node's code (rows may name one), and the boundaries rows can fall in.
SELECT id, code, kind, nlevel(path), boundary FROM jurisdictions
