using GeoTwin.DataImport.Import;

namespace GeoTwin.DataImport.Tests.Import;

/// <summary>Issue 15: a scoped import writes only inside its subtree; repairs are reported row by row, or refused.</summary>
[Collection("postgis")]
public sealed class ImportSafetyTests(PostgisFixture pg)
{
    static async Task<string> PathOfAsync(ImportHarness h, string code) => await ImportScope.PathOfAsync(h.Db, code);

    [Fact]
    public async Task A_scoped_import_refuses_rows_placed_or_stored_outside_its_subtree_and_names_them()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        // Stored in ST-EAST by an unscoped import (the operator's CLI).
        var seeded = await h.ImportAsync(h.File("east.csv", "code,address,lon,lat\nEA-00000001,东路 1号,116.4,39.9\n"), "addresses");
        Assert.True(seeded.Written, seeded.Refused);
        var monaco = await PathOfAsync(h, "ST-MC");

        // Row 2 lies in ST-EAST (an insert outside), row 3 rewrites ST-EAST's stored address, row 4 is Monaco's own.
        var file = h.File("mixed.csv", "code,address,lon,lat\nEA-00000002,东路 2号,116.5,39.9\nEA-00000001,改写,7.41,43.73\nMC-00000001,Rue 1,7.41,43.73\n");
        var refused = await Importer.RunAsync(h.Db, new ImportRequest(file, "addresses", Scope: monaco));
        Assert.False(refused.Written);
        Assert.Equal(2, refused.BadCount);
        Assert.Collection(refused.BadRows,
            b => Assert.Equal((2L, "geometry", "in RA-BJ, outside your jurisdiction ST-MC"), (b.Row, b.Field, b.Reason)),
            b => Assert.Equal((3L, "code", "code 'EA-00000001' is stored in RA-BJ, outside your jurisdiction ST-MC"), (b.Row, b.Field, b.Reason)));
        Assert.Equal("东路 1号", await h.ScalarAsync<string>("SELECT full_text FROM addresses WHERE code = 'EA-00000001'"));

        // --skip-invalid drops them and writes Monaco's row only.
        var skipped = await Importer.RunAsync(h.Db, new ImportRequest(file, "addresses", SkipInvalid: true, Scope: monaco));
        Assert.Equal((true, 1L, 0L, 2L), (skipped.Written, skipped.Inserted, skipped.Updated, skipped.BadCount));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM addresses WHERE code = 'EA-00000002'"));

        // The tree: a scoped caller may add below its own node, not beside it nor rewrite another node.
        var tree = h.File("nodes.csv", "code,kind,name,parent_code\nRA-MC,responsibility_area,Monaco A,ST-MC\nRA-X,responsibility_area,X,ST-EAST\nST-EAST,station,东所改,MC\n");
        var nodes = await Importer.RunAsync(h.Db, new ImportRequest(tree, "jurisdictions", Scope: monaco));
        Assert.Equal([(3L, "parent_code"), (4L, "code")], nodes.BadRows.Select(b => (b.Row, b.Field)));
        // The road network is every station's: a scoped import may not write it at all.
        var roads = h.File("roads.csv", "osm_id,wkt\nw1,\"LINESTRING(7.41 43.73, 7.42 43.73)\"\n");
        var e = await Assert.ThrowsAsync<ImportRefusedException>(() => Importer.RunAsync(h.Db, new ImportRequest(roads, "roads", Scope: monaco)));
        Assert.Contains("shared by every station", e.Message);
    }

    const string Bowtie = """
        {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"BT-1","height":12},
         "geometry":{"type":"Polygon","coordinates":[[[7.420,43.730],[7.421,43.731],[7.421,43.730],[7.420,43.731],[7.420,43.730]]]}}]}
        """;

    [Fact]
    public async Task A_repaired_polygon_is_a_warning_naming_the_row_and_no_repair_refuses_it()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var file = h.File("bowtie.geojson", Bowtie);

        var repaired = await Importer.RunAsync(h.Db, new ImportRequest(file, "houses"));
        Assert.True(repaired.Written, repaired.Refused);
        var note = Assert.Single(repaired.Warnings);
        Assert.Equal((1L, "geometry", "self-intersecting polygon split into 2 parts"), (note.Row, note.Field, note.Reason));

        var refused = await Importer.RunAsync(h.Db, new ImportRequest(file, "houses", NoRepair: true));
        Assert.False(refused.Written);
        var bad = Assert.Single(refused.BadRows);
        Assert.Equal((1L, "geometry"), (bad.Row, bad.Field));
        Assert.Contains("--no-repair", bad.Reason);
    }
}
