using GeoTwin.Domain;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Warnings;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace GeoTwin.Server.Tests.Warnings;

/// <summary>
/// The four-colour rule (every boundary, thresholds per kind), assignment of incidents to places and patrol zones on
/// nested polygons, months on the bureau's clock, the history of changes, and scoping of places and their people.
/// </summary>
[Collection("postgis")]
public sealed class WarningLevelsTests(PostgisFixture pg)
{
    // A station with, inside a compound, a hospital (unit premises), a village beside it, and a patrol zone along a street.
    // Coordinates in Monaco's degrees; 0.001° ≈ 80 m east-west, 111 m north-south there.
    internal const string Places = """
        INSERT INTO warning_places (code, kind, name, boundary, street, jurisdiction_id)
        SELECT v.code, v.kind, v.name, ST_Multi(ST_GeomFromText(v.wkt, 4326)), ST_Multi(ST_GeomFromText(v.street, 4326)), j.id
        FROM jurisdictions j, (VALUES
            ('C1', 'compound',      '海景小区', 'POLYGON((7.401 43.721, 7.409 43.721, 7.409 43.729, 7.401 43.729, 7.401 43.721))', NULL),
            ('U1', 'unit_premises', '海景医院', 'POLYGON((7.403 43.723, 7.405 43.723, 7.405 43.725, 7.403 43.725, 7.403 43.723))', NULL),
            ('C2', 'compound',      '内小区',   'POLYGON((7.4025 43.7225, 7.4055 43.7225, 7.4055 43.7255, 7.4025 43.7255, 7.4025 43.7225))', NULL),
            ('V1', 'village',       '山村',     'POLYGON((7.411 43.721, 7.418 43.721, 7.418 43.729, 7.411 43.729, 7.411 43.721))', NULL),
            ('Z1', 'patrol_zone',   '滨海路巡区', 'POLYGON((7.401 43.7303, 7.419 43.7303, 7.419 43.7307, 7.401 43.7307, 7.401 43.7303))',
                   'LINESTRING(7.401 43.7305, 7.419 43.7305)')
        ) AS v(code, kind, name, wkt, street)
        WHERE j.code = 'T-ST1-A';
        INSERT INTO warning_places (code, kind, name, boundary, jurisdiction_id)
        SELECT 'C9', 'compound', '二所小区', ST_Multi(ST_MakeEnvelope(7.431, 43.741, 7.439, 43.749, 4326)), id FROM jurisdictions WHERE code = 'T-ST2';
        INSERT INTO warning_place_people (place_id, role, full_name, phone)
        SELECT id, 'community_officer', '示例民警（生成）', '+99 000 0000 ' || lpad(id::text, 3, '0') FROM warning_places;
        """;

    static readonly WarningOptions Shanghai = new(timeZone: "Asia/Shanghai", zoneStreetMetres: 50);

    internal static async Task<NpgsqlDataSource> SeededAsync(PostgisFixture pg)
    {
        var db = await pg.CreateDataSourceAsync();
        await TwoStations.SeedAsync(db);
        await db.ExecAsync(Places);
        return db;
    }

    static async Task<long> IncidentAsync(NpgsqlDataSource db, string code, double lon, double lat, string receivedAt, string category = "theft") =>
        await db.ScalarAsync<long>("""
            INSERT INTO incidents (code, category, location, received_at, jurisdiction_id, source)
            SELECT $1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), $5::timestamptz, id, 'call_platform' FROM jurisdictions WHERE code = 'T-ST1-A'
            RETURNING id
            """, code, category, lon, lat, receivedAt);

    static async Task<T> InTransactionAsync<T>(NpgsqlDataSource db, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var result = await work(conn, tx);
        await tx.CommitAsync();
        return result;
    }

    static Task<IReadOnlyList<LevelChange>> PullAsync(NpgsqlDataSource db, WarningLevels levels, params long[] ids) =>
        InTransactionAsync(db, async (c, t) => await levels.RecomputeAsync(c, t, await levels.AssignAsync(c, t, ids, default), default));

    [Fact]
    public void Every_boundary_of_the_default_rule()
    {
        var rule = Vocabulary.Warnings.DefaultThresholds;
        string[] expected = ["none", "yellow", "orange", "orange", "red", "red", "black", "black"];
        bool[] oneShort = [false, true, false, true, false, true, false, false];
        for (var n = 0; n < expected.Length; n++)
        {
            Assert.Equal(expected[n], rule.LevelOf(n));
            Assert.Equal(oneShort[n], rule.IsOneShort(n));
        }
        Assert.Equal("1,2,4,6", rule.ToString());
    }

    [Fact]
    public void Thresholds_are_configurable_per_kind_and_bad_ones_are_named()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GeoTwin:Warnings:Thresholds:unit_premises"] = "2, 3, 5, 8",
            ["GeoTwin:Warnings:AssignOrder"] = "compound,unit_premises,village",
            ["GeoTwin:Warnings:TimeZone"] = "Asia/Shanghai",
        }).Build();
        var options = WarningOptions.From(config);

        Assert.Equal(["none", "none", "yellow", "orange", "orange", "red", "red", "red", "black"],
            Enumerable.Range(0, 9).Select(options.ThresholdsOf("unit_premises").LevelOf));
        Assert.Equal("1,2,4,6", options.ThresholdsOf("compound").ToString());
        Assert.Equal(["compound", "unit_premises", "village"], options.AssignOrder);
        Assert.True(options.ThresholdsOf("unit_premises").IsOneShort(7));
        Assert.True(options.ThresholdsOf("unit_premises").IsOneShort(1));   // one short of yellow where yellow takes two
        Assert.False(options.ThresholdsOf("compound").IsOneShort(0));       // with no incident there is nothing to warn of

        static string Refused(string key, string value) => Assert.Throws<StartupException>(() => WarningOptions.From(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build())).Message;
        Assert.Contains("Thresholds:village", Refused("GeoTwin:Warnings:Thresholds:village", "1,2,2,6"));
        Assert.Contains("'x'", Refused("GeoTwin:Warnings:Thresholds:compound", "1,x,4,6"));
        Assert.Contains("needs 4 counts", Refused("GeoTwin:Warnings:Thresholds:compound", "1,2,4"));
        Assert.Contains("not a place kind", Refused("GeoTwin:Warnings:Thresholds:castle", "1,2,4,6"));
        Assert.Contains("AssignOrder", Refused("GeoTwin:Warnings:AssignOrder", "compound,patrol_zone"));
        Assert.Contains("TimeZone", Refused("GeoTwin:Warnings:TimeZone", "Mars/Olympus"));
    }

    [Fact]
    public async Task Incidents_go_to_the_smallest_place_of_the_preferred_kind_and_to_their_patrol_zone()
    {
        await using var db = await SeededAsync(pg);
        var levels = new WarningLevels(Shanghai);
        long[] ids =
        [
            await IncidentAsync(db, "A-HOSP", 7.404, 43.724, "2026-03-10T10:00:00+08"),    // hospital inside C2 inside C1
            await IncidentAsync(db, "A-C2", 7.4027, 43.7227, "2026-03-10T10:00:00+08"),    // C2, not the hospital
            await IncidentAsync(db, "A-C1", 7.408, 43.728, "2026-03-10T10:00:00+08"),      // only C1
            await IncidentAsync(db, "A-VIL", 7.415, 43.725, "2026-03-10T10:00:00+08"),     // the village
            await IncidentAsync(db, "A-ZONE", 7.410, 43.7305, "2026-03-10T10:00:00+08"),   // inside the patrol zone only
            await IncidentAsync(db, "A-STREET", 7.410, 43.7309, "2026-03-10T10:00:00+08"), // 44 m north of the street, outside the zone
            await IncidentAsync(db, "A-FAR", 7.410, 43.7311, "2026-03-10T10:00:00+08"),    // 67 m from the street: no zone
            await IncidentAsync(db, "A-FIGHT", 7.404, 43.724, "2026-03-10T10:00:00+08", "fight"), // not 两抢一盗: not counted
        ];
        await PullAsync(db, levels, ids);

        var assigned = new Dictionary<string, string>();
        await using (var cmd = db.CreateCommand("""
            SELECT i.code, coalesce(p.code, '-') || '/' || coalesce(z.code, '-') || '/' || w.month
            FROM warning_incidents w JOIN incidents i ON i.id = w.incident_id
            LEFT JOIN warning_places p ON p.id = w.place_id LEFT JOIN warning_places z ON z.id = w.zone_id
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) assigned[r.GetString(0)] = r.GetString(1);

        Assert.Equal("U1/-/2026-03-01", assigned["A-HOSP"]);
        Assert.Equal("C2/-/2026-03-01", assigned["A-C2"]);
        Assert.Equal("C1/-/2026-03-01", assigned["A-C1"]);
        Assert.Equal("V1/-/2026-03-01", assigned["A-VIL"]);
        Assert.Equal("-/Z1/2026-03-01", assigned["A-ZONE"]);
        Assert.Equal("-/Z1/2026-03-01", assigned["A-STREET"]);
        Assert.Equal("-/-/2026-03-01", assigned["A-FAR"]);
        Assert.False(assigned.ContainsKey("A-FIGHT"));

        // Another order of preference: compounds before unit premises, so the hospital's incident goes to the inner compound.
        var compoundsFirst = new WarningLevels(new WarningOptions(assignOrder: ["compound", "unit_premises", "village"], timeZone: "Asia/Shanghai"));
        var moved = await InTransactionAsync(db, async (c, t) => await compoundsFirst.ReassignAllAsync(c, t, default));
        Assert.Equal("C2", await db.ScalarAsync<string>("""
            SELECT p.code FROM warning_incidents w JOIN warning_places p ON p.id = w.place_id JOIN incidents i ON i.id = w.incident_id
            WHERE i.code = 'A-HOSP'
            """));
        Assert.Contains(moved, m => m.To == "orange" && m.From == "yellow"); // C2 now has two
        Assert.Contains(moved, m => m.To == "none" && m.From == "yellow");   // the hospital has none
    }

    [Fact]
    public async Task A_place_climbs_through_every_level_with_its_history_and_alerts()
    {
        await using var db = await SeededAsync(pg);
        var levels = new WarningLevels(Shanghai);
        var seen = new List<(int Count, string Level, bool Near, bool Alerts)>();
        for (var n = 1; n <= 7; n++)
        {
            var id = await IncidentAsync(db, $"L-{n}", 7.408, 43.728, $"2026-03-{n + 1:00}T09:00:00+08");
            var changes = await PullAsync(db, levels, id);
            var row = await db.ScalarAsync<string>("SELECT count || ' ' || level || ' ' || near_next FROM warning_levels l JOIN warning_places p ON p.id = l.place_id WHERE p.code = 'C1' AND month = '2026-03-01'");
            var parts = row.Split(' ');
            seen.Add((int.Parse(parts[0]), parts[1], parts[2] == "True" || parts[2] == "true", changes.Any(c => c.Alerts)));
        }

        Assert.Equal([(1, "yellow", true, true), (2, "orange", false, false), (3, "orange", true, true), (4, "red", false, true),
                      (5, "red", true, true), (6, "black", false, true), (7, "black", false, false)], seen);
        // One history row a change of level or flag: n = 7 changes nothing.
        Assert.Equal("none>yellow,yellow>orange,orange>orange,orange>red,red>red,red>black", await db.ScalarAsync<string>("""
            SELECT string_agg(from_level || '>' || to_level, ',' ORDER BY c.id) FROM warning_level_changes c
            JOIN warning_places p ON p.id = c.place_id WHERE p.code = 'C1'
            """));

        // A pull that finds nothing new writes nothing.
        Assert.Empty(await PullAsync(db, levels));
        Assert.Equal(6L, await db.ScalarAsync<long>("SELECT count(*) FROM warning_level_changes"));

        // A cancelled call stops counting at the next recompute: two cancelled leave 5, red and one short of black again
        // (a new "one short" is a warning whichever way the count moved); one more leaves 4, red, which warns of nothing.
        await db.ExecAsync("UPDATE incidents SET status = 'cancelled' WHERE code IN ('L-6', 'L-7')");
        var down = Assert.Single(await InTransactionAsync(db, (c, t) => levels.RecomputeAsync(c, t, [new DateOnly(2026, 3, 1)], default)));
        Assert.Equal(("black", "red", 5, true, true), (down.From, down.To, down.Count, down.NearNext, down.Alerts));
        await db.ExecAsync("UPDATE incidents SET status = 'merged', merged_into = (SELECT id FROM incidents WHERE code = 'L-1') WHERE code = 'L-5'");
        var lower = Assert.Single(await InTransactionAsync(db, (c, t) => levels.RecomputeAsync(c, t, [new DateOnly(2026, 3, 1)], default)));
        Assert.Equal(("red", "red", 4, false, false), (lower.From, lower.To, lower.Count, lower.NearNext, lower.Alerts));
    }

    [Fact]
    public async Task Months_roll_over_at_the_bureaus_midnight()
    {
        await using var db = await SeededAsync(pg);
        var levels = new WarningLevels(Shanghai);
        // 23:30 and 00:30 Shanghai time are both 31 January in UTC: the second belongs to February on the bureau's clock.
        var ids = new[]
        {
            await IncidentAsync(db, "M-1", 7.408, 43.728, "2026-01-31T23:30:00+08"),
            await IncidentAsync(db, "M-2", 7.408, 43.728, "2026-01-31T23:40:00+08"),
            await IncidentAsync(db, "M-3", 7.408, 43.728, "2026-02-01T00:30:00+08"),
        };
        await PullAsync(db, levels, ids);

        Assert.Equal("2026-01-01 2 orange,2026-02-01 1 yellow", await db.ScalarAsync<string>("""
            SELECT string_agg(month || ' ' || count || ' ' || level, ',' ORDER BY month) FROM warning_levels l
            JOIN warning_places p ON p.id = l.place_id WHERE p.code = 'C1'
            """));

        // The same incidents on UTC's clock: all three in January.
        var utc = new WarningLevels(new WarningOptions(timeZone: "UTC"));
        await InTransactionAsync(db, async (c, t) => await utc.ReassignAllAsync(c, t, default));
        Assert.Equal("2026-01-01 3 orange,2026-02-01 0 none", await db.ScalarAsync<string>("""
            SELECT string_agg(month || ' ' || count || ' ' || level, ',' ORDER BY month) FROM warning_levels l
            JOIN warning_places p ON p.id = l.place_id WHERE p.code = 'C1'
            """));
    }

    [Fact]
    public async Task A_station_sees_its_own_places_and_only_personal_roles_read_the_phones()
    {
        await using var db = await SeededAsync(pg);
        await PullAsync(db, new WarningLevels(Shanghai), await IncidentAsync(db, "S-1", 7.408, 43.728, "2026-03-10T10:00:00+08"));
        var path1 = await db.ScalarAsync<string>("SELECT path::text FROM jurisdictions WHERE code = $1", TwoStations.Station1);
        var path2 = await db.ScalarAsync<string>("SELECT path::text FROM jurisdictions WHERE code = $1", TwoStations.Station2);
        var scoped = new ScopedDb(db);
        var officer1 = new CurrentUser(1, null, "officer1", Roles.CommunityOfficer, path1);
        var officer2 = officer1 with { JurisdictionPath = path2 };
        var analyst1 = officer1 with { Role = Roles.Analyst };

        static Task<string> SeenAsync(ScopedDb s, CurrentUser u, string sql) =>
            s.RunAsync(u, async x => { await using var c = x.Command(sql); return (string)(await c.ExecuteScalarAsync())!; }, default);
        const string Everything = """
            SELECT (SELECT count(*) FROM warning_places) || ' ' || (SELECT count(*) FROM warning_levels) || ' '
                || (SELECT count(*) FROM warning_level_changes) || ' ' || (SELECT count(*) FROM warning_incidents)
            """;

        Assert.Equal("5 1 1 1", await SeenAsync(scoped, officer1, Everything));
        Assert.Equal("1 0 0 0", await SeenAsync(scoped, officer2, Everything));
        Assert.Equal("1", await SeenAsync(scoped, officer2, "SELECT count(*)::text FROM warning_place_people"));
        var denied = await Assert.ThrowsAsync<PostgresException>(() => SeenAsync(scoped, analyst1, "SELECT count(*)::text FROM warning_place_people"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }
}
