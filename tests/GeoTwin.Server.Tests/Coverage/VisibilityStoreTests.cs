using GeoTwin.Server.Coverage.Visibility;
using NetTopologySuite.Geometries;
using Npgsql;

namespace GeoTwin.Server.Tests.Coverage;

/// <summary>Visibility polygons in PostGIS: computed for every camera, and after changes only for what they touch.</summary>
[Collection("postgis")]
public sealed class VisibilityStoreTests(PostgisFixture pg)
{
    /// <summary>Two stations' rows, a block of 48 houses around camera 1 and four more cameras among them.</summary>
    const string Scene = """
        INSERT INTO houses (code, footprint, roof_height_m, jurisdiction_id)
        SELECT 'B-' || i || '-' || j,
               ST_Multi(ST_MakeEnvelope(7.4095 + i * 0.0004, 43.7295 + j * 0.0004, 7.4097 + i * 0.0004, 43.7297 + j * 0.0004, 4326)),
               3 + ((i * 7 + j * 5) % 6) * 4, (SELECT id FROM jurisdictions WHERE code = 'T-ST1-A')
        FROM generate_series(0, 7) i, generate_series(0, 5) j;
        INSERT INTO cameras (id, location, heading_deg, fov_deg, range_m, mount_height_m, kind, jurisdiction_id)
        SELECT '3402000000132000010' || k, ST_SetSRID(ST_MakePoint(7.4099 + k * 0.0008, 43.7299 + (k % 2) * 0.0008), 4326),
               CASE WHEN k = 3 THEN NULL ELSE k * 80 END, 70 + k * 10, 60 + k * 15, 4 + k * 2, CASE WHEN k = 3 THEN 'ptz' ELSE 'fixed' END,
               (SELECT id FROM jurisdictions WHERE code = 'T-ST1-A')
        FROM generate_series(1, 4) k;
        """;

    static async Task<Dictionary<string, (Geometry Geom, double Area)>> ReadAsync(NpgsqlDataSource db)
    {
        var rows = new Dictionary<string, (Geometry, double)>();
        await using var cmd = db.CreateCommand("SELECT camera_id, geom, area_m2 FROM camera_visibility");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows[r.GetString(0)] = (r.GetFieldValue<Geometry>(1), r.GetDouble(2));
        return rows;
    }

    [Fact]
    public async Task Incremental_updates_equal_a_full_recomputation_and_touch_only_what_changed()
    {
        await using var db = await pg.CreateDataSourceAsync();
        await TwoStations.SeedAsync(db);
        await db.ExecAsync(Scene);

        Assert.Equal(6, await VisibilityStore.RefreshAsync(db, default)); // every camera, never computed
        Assert.Equal(0, await VisibilityStore.RefreshAsync(db, default));
        var first = await ReadAsync(db);
        Assert.Equal(6, first.Count);
        Assert.All(first.Values, v => Assert.True(v.Area > 0 && v.Geom.IsValid, new NetTopologySuite.Operation.Valid.IsValidOp(v.Geom).ValidationError?.ToString()));
        // the houses hide something: camera 1 (a dome in the block) sees less than its bare circle
        Assert.True(first[TwoStations.Camera1].Area < Math.PI * 50 * 50 * 0.9);

        // A house far from every camera: nothing to recompute.
        await db.ExecAsync("UPDATE houses SET roof_height_m = 40 WHERE code = 'H-2'");
        Assert.Equal(0, await VisibilityStore.RefreshAsync(db, default));

        // The house nearest camera 1 raised above its 6 m lens (or lowered under it): camera 1 and the cameras within
        // reach of that house are recomputed, not all.
        await db.ExecAsync("""
            UPDATE houses SET roof_height_m = CASE WHEN roof_height_m < 6 THEN 30 ELSE 2 END
            WHERE id = (SELECT h.id FROM houses h, cameras c WHERE c.id = $1 ORDER BY h.footprint <-> c.location LIMIT 1)
            """, TwoStations.Camera1);
        var touched = await VisibilityStore.RefreshAsync(db, default);
        Assert.InRange(touched, 1, 5);
        Assert.True(Math.Abs((await ReadAsync(db))[TwoStations.Camera1].Area - first[TwoStations.Camera1].Area) > 1);

        // More changes of every kind, then one incremental round.
        await db.ExecAsync("""
            UPDATE houses SET footprint = ST_Multi(ST_Translate(footprint, 0.0001, 0)) WHERE code = 'B-2-1';
            DELETE FROM houses WHERE code IN ('B-4-3', 'B-1-1');
            INSERT INTO houses (code, footprint, roof_height_m, jurisdiction_id)
            SELECT 'B-new', ST_Multi(ST_MakeEnvelope(7.4106, 43.7306, 7.41075, 43.7308, 4326)), 9, id FROM jurisdictions WHERE code = 'T-ST1-A';
            UPDATE cameras SET heading_deg = 200, range_m = 90 WHERE id = '34020000001320000102';
            UPDATE cameras SET name = 'renamed', status = 'offline' WHERE id = '34020000001320000103';
            INSERT INTO cameras (id, location, heading_deg, jurisdiction_id)
            SELECT '34020000001320000109', ST_SetSRID(ST_MakePoint(7.4113, 43.7313), 4326), 45, id FROM jurisdictions WHERE code = 'T-ST1-A';
            DELETE FROM cameras WHERE id = '34020000001320000104';
            """);
        Assert.InRange(await VisibilityStore.RefreshAsync(db, default), 2, 6);
        var incremental = await ReadAsync(db);
        Assert.False(incremental.ContainsKey("34020000001320000104"));
        Assert.True(incremental.ContainsKey("34020000001320000109"));

        Assert.Equal(6, await VisibilityStore.RecomputeAllAsync(db, default));
        var full = await ReadAsync(db);
        Assert.Equal(full.Keys.Order(), incremental.Keys.Order());
        foreach (var (id, (geom, area)) in full)
        {
            Assert.Equal(area, incremental[id].Area, 9);
            Assert.True(geom.EqualsExact(incremental[id].Geom, 1e-12), $"camera {id}: incremental polygon differs from the full one");
        }
    }
}
