using Npgsql;

namespace GeoTwin.Server.Tests.Infrastructure.Db;

/// <summary>The rules the database itself keeps, whatever code writes to it.</summary>
[Collection("postgis")]
public sealed class SchemaTests(PostgisFixture pg)
{
    const string Tree = """
        INSERT INTO jurisdictions (code, kind, name) VALUES ('CITY', 'city_bureau', '市局');
        INSERT INTO jurisdictions (code, kind, name, parent_id) SELECT 'ST1', 'station', '一所', id FROM jurisdictions WHERE code = 'CITY';
        INSERT INTO jurisdictions (code, kind, name, parent_id) SELECT 'ST2', 'station', '二所', id FROM jurisdictions WHERE code = 'CITY';
        INSERT INTO jurisdictions (code, kind, name, parent_id) SELECT 'ST1-A', 'responsibility_area', '一区', id FROM jurisdictions WHERE code = 'ST1';
        """;

    static Task InsertCamera(NpgsqlDataSource db, string id) => db.ExecAsync(
        "INSERT INTO cameras (id, location, jurisdiction_id) SELECT $1, ST_SetSRID(ST_MakePoint(7.42, 43.73), 4326), id FROM jurisdictions WHERE code = 'ST1-A'", id);

    [Theory]
    [InlineData("3402000000132000001", "19 digits")]
    [InlineData("340200000013200000011", "21 digits")]
    [InlineData("3402000000132000000A", "a letter")]
    [InlineData("34020000001180000001", "type 118 is an NVR, not a camera")]
    [InlineData("34020000002000000001", "type 200 is a SIP server")]
    [InlineData("３４020000001320000001", "full-width digits")]
    public async Task A_camera_id_that_is_not_a_GB28181_camera_is_refused(string id, string why)
    {
        await using var db = await pg.CreateDataSourceAsync();
        await db.ExecAsync(Tree);

        var e = await Assert.ThrowsAsync<PostgresException>(() => InsertCamera(db, id));

        Assert.True(e.SqlState == PostgresErrorCodes.CheckViolation, why);
        Assert.Equal("cameras_gb28181_id", e.ConstraintName);
    }

    [Theory]
    [InlineData("34020000001320000001")]
    [InlineData("34020000011310000002")]
    public async Task A_GB28181_camera_id_is_stored_with_its_jurisdiction_path(string id)
    {
        await using var db = await pg.CreateDataSourceAsync();
        await db.ExecAsync(Tree);

        await InsertCamera(db, id);

        var path = await db.ScalarAsync<string>("SELECT jurisdiction_path::text FROM cameras WHERE id = $1", id);
        var expected = await db.ScalarAsync<string>("SELECT path::text FROM jurisdictions WHERE code = 'ST1-A'");
        Assert.Equal(expected, path);
        Assert.Matches(@"^\d+\.\d+\.\d+$", path);
    }

    [Fact]
    public async Task The_jurisdiction_tree_refuses_kinds_in_the_wrong_place()
    {
        await using var db = await pg.CreateDataSourceAsync();
        await db.ExecAsync(Tree);

        var orphan = await Assert.ThrowsAsync<PostgresException>(() => db.ExecAsync("INSERT INTO jurisdictions (code, kind, name) VALUES ('X', 'station', 'x')"));
        Assert.Contains("needs a parent", orphan.MessageText);
        var misplaced = await Assert.ThrowsAsync<PostgresException>(() => db.ExecAsync(
            "INSERT INTO jurisdictions (code, kind, name, parent_id) SELECT 'Y', 'responsibility_area', 'y', id FROM jurisdictions WHERE code = 'CITY'"));
        Assert.Contains("cannot hang under a city_bureau", misplaced.MessageText);
    }

    [Fact]
    public async Task Scoping_a_station_is_an_ltree_comparison_that_excludes_the_other_station()
    {
        await using var db = await pg.CreateDataSourceAsync();
        await db.ExecAsync(Tree);
        await InsertCamera(db, "34020000001320000001");
        await db.ExecAsync("INSERT INTO cameras (id, location, jurisdiction_id) SELECT '34020000001320000002', ST_SetSRID(ST_MakePoint(7.43, 43.74), 4326), id FROM jurisdictions WHERE code = 'ST2'");

        var seenByStation1 = await db.ScalarAsync<long>(
            "SELECT count(*) FROM cameras WHERE jurisdiction_path <@ (SELECT path FROM jurisdictions WHERE code = 'ST1')");
        var seenByCity = await db.ScalarAsync<long>(
            "SELECT count(*) FROM cameras WHERE jurisdiction_path <@ (SELECT path FROM jurisdictions WHERE code = 'CITY')");

        Assert.Equal(1, seenByStation1);
        Assert.Equal(2, seenByCity);
    }

    [Fact]
    public async Task The_audit_log_cannot_be_changed_or_deleted()
    {
        await using var db = await pg.CreateDataSourceAsync();
        await db.ExecAsync("INSERT INTO audit_log (action, record_kind, record_ids) VALUES ('read', 'person', '{1,2}')");

        var update = await Assert.ThrowsAsync<PostgresException>(() => db.ExecAsync("UPDATE audit_log SET action = 'nothing'"));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => db.ExecAsync("DELETE FROM audit_log"));
        var truncate = await Assert.ThrowsAsync<PostgresException>(() => db.ExecAsync("TRUNCATE audit_log"));

        Assert.All(new[] { update, delete, truncate }, e => Assert.Contains("append-only", e.MessageText));
        Assert.Equal("read", await db.ScalarAsync<string>("SELECT action FROM audit_log"));
    }

    [Fact]
    public async Task House_resident_counts_must_add_up()
    {
        await using var db = await pg.CreateDataSourceAsync();
        await db.ExecAsync(Tree);
        const string insert = """
            INSERT INTO houses (code, footprint, roof_height_m, residents_total, residents_registered, residents_floating, residents_foreign, jurisdiction_id)
            SELECT $1, ST_Multi(ST_MakeEnvelope(7.42, 43.73, 7.4201, 43.7301, 4326)), 12, $2, $3, $4, $5, id FROM jurisdictions WHERE code = 'ST1-A'
            """;

        await db.ExecAsync(insert, "H1", 10, 6, 4, 1);
        var bad = await Assert.ThrowsAsync<PostgresException>(() => db.ExecAsync(insert, "H2", 10, 6, 3, 0));

        Assert.Equal(PostgresErrorCodes.CheckViolation, bad.SqlState);
    }

    [Fact]
    public async Task Position_fixes_land_in_their_day_partition_or_the_default_one()
    {
        await using var db = await pg.CreateDataSourceAsync();
        await db.ExecAsync(Tree);
        await db.ExecAsync("INSERT INTO police_units (call_sign, kind, jurisdiction_id) SELECT 'P1', 'car', id FROM jurisdictions WHERE code = 'ST1'");
        var part = await db.ScalarAsync<string>("SELECT ensure_unit_positions_partition('2026-11-22')");
        const string fix = "INSERT INTO unit_positions (unit_id, fix_time, position) SELECT id, $1, ST_SetSRID(ST_MakePoint(7.42, 43.73), 4326) FROM police_units";

        await db.ExecAsync(fix, new DateTime(2026, 11, 22, 23, 59, 0, DateTimeKind.Utc));
        await db.ExecAsync(fix, new DateTime(2026, 11, 23, 0, 1, 0, DateTimeKind.Utc));

        Assert.Equal("unit_positions_20261122", part);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM unit_positions_20261122"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM unit_positions_default"));
    }

    [Fact]
    public async Task Road_costs_are_travel_seconds_with_oneway_streets_closed_against_their_direction()
    {
        await using var db = await pg.CreateDataSourceAsync();
        // About 111 m north at 36 km/h = 10 m/s: about 11.1 s.
        await db.ExecAsync("INSERT INTO roads (road_class, speed_kmh, oneway, geom) VALUES ('residential', 36, 1, ST_GeomFromText('LINESTRING(7.42 43.73, 7.42 43.731)', 4326))");

        var cost = await db.ScalarAsync<double>("SELECT cost FROM roads");
        var reverse = await db.ScalarAsync<double>("SELECT reverse_cost FROM roads");

        Assert.InRange(cost, 11.0, 11.2);
        Assert.Equal(-1, reverse);
    }
}
