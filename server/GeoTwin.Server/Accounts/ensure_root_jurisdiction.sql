-- Users hang on a jurisdiction; an empty database gets a root city bureau to hang the first admin on.
INSERT INTO jurisdictions (code, kind, name, name_en)
SELECT 'ROOT', 'city_bureau', '市公安局', 'City Bureau'
WHERE NOT EXISTS (SELECT 1 FROM jurisdictions);
