using GeoTwin.DataImport.Demo;
using GeoTwin.Domain;
using GeoTwin.Server.Warnings;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;

namespace GeoTwin.Server.Tests.Warnings;

/// <summary>
/// The demo's warning places from the Monaco OSM data, their generated people, and the assignment of two years of demo
/// incidents to those real polygons, checked point by point against NetTopologySuite (another geometry engine).
/// </summary>
[Collection("postgis")]
public sealed class DemoPlacesTests(PostgisFixture pg)
{
    static readonly Shared<NpgsqlDataSource> Built = new();
    static readonly WarningOptions Options = new(timeZone: "Europe/Monaco");

    Task<NpgsqlDataSource> DemoAsync() => Built.GetAsync(async () =>
    {
        var db = await pg.CreateDataSourceAsync();
        await DemoJurisdiction.LoadIfEmptyAsync(db, new DemoOptions(Seed: 5, UntilUtc: new DateTime(2026, 3, 15, 12, 0, 0, DateTimeKind.Utc)), null);
        await new WarningLevels(Options).CatchUpAsync(db);
        return db;
    });

    [Fact]
    public async Task Compounds_premises_and_patrol_zones_come_from_OSM_with_generated_people()
    {
        var db = await DemoAsync();
        var kinds = new Dictionary<string, long>();
        await using (var cmd = db.CreateCommand("SELECT kind, count(*) FROM warning_places GROUP BY kind"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) kinds[r.GetString(0)] = r.GetInt64(1);

        Assert.True(kinds.GetValueOrDefault("compound") >= 20, $"compounds: {kinds.GetValueOrDefault("compound")}");
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM warning_places WHERE code LIKE 'WP-%' AND kind = 'compound' AND name NOT LIKE '%住宅小区%'") > 0);
        Assert.True(kinds.GetValueOrDefault("unit_premises") >= 5, $"unit premises: {kinds.GetValueOrDefault("unit_premises")}");
        Assert.InRange(kinds.GetValueOrDefault("patrol_zone"), 5, 12);
        // Monaco's hospital is an OSM area: it is a unit premises, under its own name.
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM warning_places WHERE kind = 'unit_premises' AND name LIKE '%Princesse Grace%'"));
        // Every zone has its street, every place lies on the land inside its own station's boundary.
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM warning_places WHERE kind = 'patrol_zone' AND street IS NULL"));
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM warning_places p JOIN jurisdictions j ON j.id = p.jurisdiction_id
            WHERE NOT ST_Covers(j.boundary, ST_PointOnSurface(p.boundary)) OR j.kind <> 'responsibility_area'
            """));
        // Each place has its station leader and its own responsible person; names say they are generated, phones are +999.
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM warning_places p WHERE NOT EXISTS (SELECT 1 FROM warning_place_people x WHERE x.place_id = p.id AND x.role = 'station_leader')
                OR (SELECT count(*) FROM warning_place_people x WHERE x.place_id = p.id) < 2
            """));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM warning_place_people WHERE phone NOT LIKE '+999 %' OR full_name NOT LIKE '%（演示）'"));
    }

    [Fact]
    public async Task Demo_incidents_are_assigned_to_the_real_polygons_as_another_engine_computes_it()
    {
        var db = await DemoAsync();
        var wkb = new WKBReader();
        var places = new List<(long Id, string Kind, double Area, Geometry Boundary, Geometry? Street)>();
        await using (var cmd = db.CreateCommand("SELECT id, kind, area_m2, ST_AsBinary(boundary), ST_AsBinary(street) FROM warning_places"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
                places.Add((r.GetInt64(0), r.GetString(1), r.GetDouble(2), wkb.Read((byte[])r[3]), r.IsDBNull(4) ? null : wkb.Read((byte[])r[4])));
        var assigned = new List<(long Incident, Point At, long? Place, long? Zone, double StreetM)>();
        await using (var cmd = db.CreateCommand("""
            SELECT w.incident_id, ST_X(i.location), ST_Y(i.location), w.place_id, w.zone_id,
                   coalesce((SELECT min(ST_Distance(z.street::geography, i.location::geography)) FROM warning_places z WHERE z.street IS NOT NULL), 1e9)
            FROM warning_incidents w JOIN incidents i ON i.id = w.incident_id
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
                assigned.Add((r.GetInt64(0), new Point(r.GetDouble(1), r.GetDouble(2)), r.IsDBNull(3) ? null : r.GetInt64(3),
                    r.IsDBNull(4) ? null : r.GetInt64(4), r.GetDouble(5)));

        var counted = await db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE category = ANY ($1)", [Vocabulary.Warnings.Counted.Categories.ToArray()]);
        Assert.Equal(counted, assigned.Count);
        Assert.True(assigned.Count(a => a.Place is not null) > 100, $"only {assigned.Count(a => a.Place is not null)} incidents in a place");
        Assert.True(assigned.Count(a => a.Zone is not null) > 100, $"only {assigned.Count(a => a.Zone is not null)} incidents in a patrol zone");

        var order = Options.AssignOrder.ToList();
        foreach (var a in assigned)
        {
            var own = places.Where(p => p.Kind != "patrol_zone" && p.Boundary.Covers(a.At))
                .OrderBy(p => order.IndexOf(p.Kind)).ThenBy(p => p.Area).ThenBy(p => p.Id).Select(p => (long?)p.Id).FirstOrDefault();
            Assert.True(own == a.Place, $"incident {a.Incident}: NTS says place {own}, PostGIS {a.Place}");
            var zone = places.Where(p => p.Kind == "patrol_zone" && p.Boundary.Covers(a.At)).OrderBy(p => p.Area).ThenBy(p => p.Id)
                .Select(p => (long?)p.Id).FirstOrDefault();
            if (zone is not null) Assert.True(zone == a.Zone, $"incident {a.Incident}: NTS says zone {zone}, PostGIS {a.Zone}");
            else if (a.StreetM > Options.ZoneStreetMetres) Assert.Null(a.Zone);
            else Assert.NotNull(a.Zone); // outside every zone but near a street: the street's zone
        }
    }

    [Fact]
    public async Task Levels_match_the_counts_of_the_assigned_incidents()
    {
        var db = await DemoAsync();
        // Recounted independently: every place-month with incidents has a row with that count and the rule's level.
        var mismatches = new List<string>();
        await using var cmd = db.CreateCommand("""
            WITH n AS (
                SELECT x.pid, x.month, count(*)::int AS n FROM (
                    SELECT place_id AS pid, month, incident_id FROM warning_incidents WHERE place_id IS NOT NULL
                    UNION ALL SELECT zone_id, month, incident_id FROM warning_incidents WHERE zone_id IS NOT NULL) x
                JOIN incidents i ON i.id = x.incident_id WHERE i.status NOT IN ('merged', 'cancelled')
                GROUP BY x.pid, x.month)
            SELECT n.pid, n.month::text, n.n, l.count, l.level, p.kind FROM n JOIN warning_places p ON p.id = n.pid
            LEFT JOIN warning_levels l ON l.place_id = n.pid AND l.month = n.month
            """);
        var rows = 0;
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
            {
                rows++;
                var (n, stored, level, kind) = (r.GetInt32(2), r.IsDBNull(3) ? -1 : r.GetInt32(3), r.IsDBNull(4) ? "-" : r.GetString(4), r.GetString(5));
                if (stored != n || level != Options.ThresholdsOf(kind).LevelOf(n)) mismatches.Add($"place {r.GetInt64(0)} {r.GetString(1)}: {n} vs {stored} {level}");
            }
        Assert.True(rows > 50, $"only {rows} place-months with incidents");
        Assert.Empty(mismatches);
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM warning_levels WHERE level IN ('red', 'black')") > 0);
    }
}
