-- A small built-in jurisdiction around Monaco's port (positions read off OpenStreetMap, ODbL) so a
-- fresh `./geotwin up` shows something real. The full Monaco demo is built by `geotwin demo`.
-- Applied in one transaction, only into a database with no jurisdictions.

INSERT INTO jurisdictions (code, kind, name, name_en, parent_id, boundary) VALUES
    ('MC-CITY', 'city_bureau', '摩纳哥市公安局（示例）', 'Monaco City Bureau (sample)', NULL,
     ST_Multi(ST_MakeEnvelope(7.4090, 43.7230, 7.4400, 43.7520, 4326)));
INSERT INTO jurisdictions (code, kind, name, name_en, parent_id, boundary)
SELECT 'MC-PORT', 'station', '港口派出所', 'Port Station', id,
       ST_Multi(ST_MakeEnvelope(7.4150, 43.7300, 7.4300, 43.7400, 4326))
FROM jurisdictions WHERE code = 'MC-CITY';
INSERT INTO jurisdictions (code, kind, name, name_en, parent_id, boundary)
SELECT 'MC-MC', 'station', '蒙特卡洛派出所', 'Monte Carlo Station', id,
       ST_Multi(ST_MakeEnvelope(7.4200, 43.7380, 7.4350, 43.7480, 4326))
FROM jurisdictions WHERE code = 'MC-CITY';
INSERT INTO jurisdictions (code, kind, name, name_en, parent_id, boundary)
SELECT 'MC-PORT-A1', 'responsibility_area', '港口一区', 'Port area 1', id,
       ST_Multi(ST_MakeEnvelope(7.4150, 43.7300, 7.4225, 43.7400, 4326))
FROM jurisdictions WHERE code = 'MC-PORT';
INSERT INTO jurisdictions (code, kind, name, name_en, parent_id, boundary)
SELECT 'MC-PORT-C1', 'community', '孔达米纳社区', 'La Condamine community', id,
       ST_Multi(ST_MakeEnvelope(7.4150, 43.7300, 7.4300, 43.7400, 4326))
FROM jurisdictions WHERE code = 'MC-PORT';

INSERT INTO roads (source_ref, name, road_class, speed_kmh, oneway, geom) VALUES
    ('sample-1', 'Boulevard Albert 1er', 'secondary', 40, 0,
     ST_GeomFromText('LINESTRING(7.4185 43.7335, 7.4215 43.7352, 7.4243 43.7368)', 4326)),
    ('sample-2', 'Rue Grimaldi', 'tertiary', 30, 1,
     ST_GeomFromText('LINESTRING(7.4163 43.7312, 7.4185 43.7335)', 4326)),
    ('sample-3', 'Avenue d''Ostende', 'secondary', 40, 0,
     ST_GeomFromText('LINESTRING(7.4243 43.7368, 7.4262 43.7385, 7.4275 43.7402)', 4326));

INSERT INTO addresses (code, element_type, full_text, door_number, location, jurisdiction_id, community_id)
SELECT v.code, 50, v.full_text, v.door, ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326),
       (SELECT id FROM jurisdictions WHERE code = 'MC-PORT-A1'), (SELECT id FROM jurisdictions WHERE code = 'MC-PORT-C1')
FROM (VALUES
    ('5b0f3a52-1c1e-4c3e-9a51-0a7c2f3e0001', '摩纳哥 孔达米纳 格里马尔迪街 12号', '12号', 7.41760, 43.73260),
    ('5b0f3a52-1c1e-4c3e-9a51-0a7c2f3e0002', '摩纳哥 孔达米纳 阿尔贝一世大道 4号', '4号', 7.41960, 43.73420),
    ('5b0f3a52-1c1e-4c3e-9a51-0a7c2f3e0003', '摩纳哥 孔达米纳 阿尔贝一世大道 18号', '18号', 7.42180, 43.73560)
) AS v(code, full_text, door, lon, lat);

INSERT INTO houses (code, address_id, footprint, base_height_m, roof_height_m, floors, use, rooms,
                    residents_total, residents_registered, residents_floating, residents_foreign,
                    jurisdiction_id, community_id)
SELECT v.code, a.id, ST_Multi(ST_Buffer(a.location::geography, 9, 'quad_segs=1')::geometry), 0, v.height, v.floors, v.use, v.rooms,
       v.total, v.total - v.floating, v.floating, v.foreign_n, a.jurisdiction_id, a.community_id
FROM (VALUES
    ('H-SAMPLE-1', '5b0f3a52-1c1e-4c3e-9a51-0a7c2f3e0001', 18.0, 6, 'residential', 24, 41, 12, 5),
    ('H-SAMPLE-2', '5b0f3a52-1c1e-4c3e-9a51-0a7c2f3e0002', 24.0, 8, 'mixed', 30, 52, 20, 9),
    ('H-SAMPLE-3', '5b0f3a52-1c1e-4c3e-9a51-0a7c2f3e0003', 12.0, 4, 'hotel', 60, 3, 0, 0)
) AS v(code, addr, height, floors, use, rooms, total, floating, foreign_n)
JOIN addresses a ON a.code = v.addr;

INSERT INTO cameras (id, name, location, mount_height_m, heading_deg, fov_deg, range_m, kind, owner, jurisdiction_id)
SELECT v.id, v.name, ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326), 6, v.heading, v.fov, v.range_m, v.kind, v.owner,
       (SELECT id FROM jurisdictions WHERE code = 'MC-PORT-A1')
FROM (VALUES
    ('99000000001320000001', '港口路口', 7.41850, 43.73350, 45::real, 70::real, 60::real, 'fixed', 'government'),
    ('99000000001320000002', '格里马尔迪街', 7.41700, 43.73200, 30::real, 60::real, 50::real, 'fixed', 'government'),
    ('99000000011310000003', '酒店门前', 7.42180, 43.73540, NULL::real, 360::real, 30::real, 'dome', 'social')
) AS v(id, name, lon, lat, heading, fov, range_m, kind, owner);

INSERT INTO police_units (call_sign, kind, device_id, capabilities, jurisdiction_id, last_fix_at, last_position, last_speed_kmh, last_heading_deg)
SELECT v.call_sign, v.kind, v.device, v.caps, (SELECT id FROM jurisdictions WHERE code = v.station),
       now(), ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326), 0, 0
FROM (VALUES
    ('港口01', 'car', 'dev-port-01', ARRAY['patrol', 'traffic'], 'MC-PORT', 7.41900, 43.73380),
    ('港口02', 'foot', 'dev-port-02', ARRAY['patrol'], 'MC-PORT', 7.42100, 43.73500),
    ('蒙卡01', 'motorbike', 'dev-mc-01', ARRAY['patrol'], 'MC-MC', 7.42700, 43.73950)
) AS v(call_sign, kind, device, caps, station, lon, lat);
