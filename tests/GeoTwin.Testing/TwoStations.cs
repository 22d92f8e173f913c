using Npgsql;

namespace GeoTwin.Testing;

/// <summary>
/// A city bureau with two stations, each with an address, a house with two registered people, a camera,
/// a unit and an incident: enough to show that one station never sees the other's rows.
/// </summary>
public static class TwoStations
{
    public const string City = "T-CITY", Station1 = "T-ST1", Area1 = "T-ST1-A", Station2 = "T-ST2";
    public const string Address1 = "00000000-0000-4000-8000-000000000001", Address2 = "00000000-0000-4000-8000-000000000002";
    public const string Camera1 = "34020000001320000001", Camera2 = "34020000001320000002";
    public const string Unit1 = "一所01", Unit2 = "二所01";
    public const string Incident1 = "INC-1", Incident2 = "INC-2";

    const string Seed = """
        INSERT INTO jurisdictions (code, kind, name, boundary) VALUES
            ('T-CITY', 'city_bureau', '测试市局', ST_Multi(ST_MakeEnvelope(7.40, 43.72, 7.45, 43.76, 4326)));
        INSERT INTO jurisdictions (code, kind, name, parent_id, boundary)
            SELECT 'T-ST1', 'station', '一所', id, ST_Multi(ST_MakeEnvelope(7.40, 43.72, 7.42, 43.76, 4326)) FROM jurisdictions WHERE code = 'T-CITY';
        INSERT INTO jurisdictions (code, kind, name, parent_id, boundary)
            SELECT 'T-ST2', 'station', '二所', id, ST_Multi(ST_MakeEnvelope(7.42, 43.72, 7.45, 43.76, 4326)) FROM jurisdictions WHERE code = 'T-CITY';
        INSERT INTO jurisdictions (code, kind, name, parent_id, boundary)
            SELECT 'T-ST1-A', 'responsibility_area', '一所一区', id, ST_Multi(ST_MakeEnvelope(7.40, 43.72, 7.42, 43.74, 4326)) FROM jurisdictions WHERE code = 'T-ST1';

        INSERT INTO addresses (code, element_type, full_text, door_number, location, jurisdiction_id)
            SELECT '00000000-0000-4000-8000-000000000001', 50, '测试市 一所 和平路 1号', '1号', ST_SetSRID(ST_MakePoint(7.41, 43.73), 4326), id
            FROM jurisdictions WHERE code = 'T-ST1-A';
        INSERT INTO addresses (code, element_type, full_text, door_number, location, jurisdiction_id)
            SELECT '00000000-0000-4000-8000-000000000002', 50, '测试市 二所 海滨路 2号', '2号', ST_SetSRID(ST_MakePoint(7.43, 43.74), 4326), id
            FROM jurisdictions WHERE code = 'T-ST2';

        -- the counts (2 total: 1 registered, 1 floating) come from the two people rows below (trigger, migration 0091)
        INSERT INTO houses (code, address_id, footprint, roof_height_m, use, jurisdiction_id)
            SELECT 'H-' || right(a.code, 1), a.id, ST_Multi(ST_Buffer(a.location, 0.0001, 'quad_segs=1')), 15, 'residential', a.jurisdiction_id
            FROM addresses a;
        INSERT INTO people (house_id, floating, arrived_on, registered_by, jurisdiction_id)
            SELECT h.id, f, DATE '2025-01-01', 'test', h.jurisdiction_id FROM houses h, (VALUES (false), (true)) AS v(f);
        INSERT INTO people_identity (person_id, full_name, id_number, phone)
            SELECT p.id, '居民' || p.id, '11010519491231002' || (p.id % 10), '1380000' || lpad(p.id::text, 4, '0') FROM people p;

        INSERT INTO cameras (id, name, location, jurisdiction_id)
            SELECT '34020000001320000001', '一所路口', ST_SetSRID(ST_MakePoint(7.411, 43.731), 4326), id FROM jurisdictions WHERE code = 'T-ST1-A';
        INSERT INTO cameras (id, name, location, jurisdiction_id)
            SELECT '34020000001320000002', '二所路口', ST_SetSRID(ST_MakePoint(7.431, 43.741), 4326), id FROM jurisdictions WHERE code = 'T-ST2';

        INSERT INTO police_units (call_sign, kind, jurisdiction_id, last_fix_at, last_position)
            SELECT '一所01', 'car', id, now(), ST_SetSRID(ST_MakePoint(7.412, 43.732), 4326) FROM jurisdictions WHERE code = 'T-ST1';
        INSERT INTO police_units (call_sign, kind, jurisdiction_id, last_fix_at, last_position)
            SELECT '二所01', 'car', id, now(), ST_SetSRID(ST_MakePoint(7.432, 43.742), 4326) FROM jurisdictions WHERE code = 'T-ST2';

        INSERT INTO incidents (code, category, location, jurisdiction_id)
            SELECT 'INC-1', 'theft', ST_SetSRID(ST_MakePoint(7.413, 43.733), 4326), id FROM jurisdictions WHERE code = 'T-ST1-A';
        INSERT INTO incidents (code, category, location, jurisdiction_id)
            SELECT 'INC-2', 'robbery', ST_SetSRID(ST_MakePoint(7.433, 43.743), 4326), id FROM jurisdictions WHERE code = 'T-ST2';
        """;

    public static async Task SeedAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand(Seed);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<long> HouseIdAsync(NpgsqlDataSource db, string addressCode)
    {
        await using var cmd = db.CreateCommand("SELECT h.id FROM houses h JOIN addresses a ON a.id = h.address_id WHERE a.code = $1");
        cmd.Parameters.Add(new() { Value = addressCode });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
