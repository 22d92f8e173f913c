using System.Globalization;
using System.Text;
using GeoTwin.DataImport.Import;

namespace GeoTwin.DataImport.Tests.Import;

/// <summary>Vertices per feature: a house over its layer's limit is a bad row naming the count; a large legal one goes in.</summary>
[Collection("postgis")]
public sealed class VertexLimitTests(PostgisFixture pg)
{
    /// <summary>A round house in Monaco (station ST-MC) drawn with <paramref name="vertices"/> vertices, the closing one included.</summary>
    static string RoundHouse(string code, int vertices, double lon = 7.42, double lat = 43.74)
    {
        var ring = Enumerable.Range(0, vertices - 1)
            .Select(i => (lon + 0.0003 * Math.Cos(i * 2 * Math.PI / (vertices - 1)), lat + 0.0002 * Math.Sin(i * 2 * Math.PI / (vertices - 1))))
            .Append((lon + 0.0003, lat))
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"[{p.Item1:R},{p.Item2:R}]"));
        return $$$"""{"type":"Feature","properties":{"code":"{{{code}}}","floors":3},"geometry":{"type":"Polygon","coordinates":[[{{{string.Join(",", ring)}}}]]}}""";
    }

    static string Collection(params string[] features) => $$"""{"type":"FeatureCollection","features":[{{string.Join(",\n", features)}}]}""";

    [Fact]
    public async Task A_house_over_the_limit_is_a_bad_row_with_its_count_and_a_9000_vertex_house_is_accepted()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var legal = await h.ImportAsync(h.File("legal.geojson", Collection(RoundHouse("H-SMALL", 5, 7.41), RoundHouse("H-9000", 9_000))), "houses");
        Assert.True(legal.Written, legal.Refused);
        Assert.Equal(9_000, await h.ScalarAsync<int>("SELECT ST_NPoints(footprint) FROM houses WHERE code = 'H-9000'"));

        var path = h.File("too-many.geojson", Collection(RoundHouse("H-A", 5, 7.41), RoundHouse("H-B", 5, 7.43), RoundHouse("H-BIG", 10_001)));
        var refused = await h.ImportAsync(path, "houses");

        Assert.False(refused.Written);
        var bad = Assert.Single(refused.BadRows);
        Assert.Equal(new BadRow(3, "geometry", "10,001 vertices, the limit for houses is 10,000"), bad);
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM houses WHERE code IN ('H-A', 'H-B', 'H-BIG')"));

        // The operator's own limit for this import (--max-vertices, GeoTwin:Import:MaxVertices:houses) lets it in; a lower one refuses the 9,000.
        var raised = await Importer.RunAsync(h.Db, new ImportRequest(path, "houses", MaxVertices: 20_000));
        Assert.True(raised.Written, raised.Refused);
        var lowered = await Importer.RunAsync(h.Db, new ImportRequest(h.PathOf("legal.geojson"), "houses", MaxVertices: 100));
        Assert.Equal("9,000 vertices, the limit for houses is 100", Assert.Single(lowered.BadRows).Reason);
    }

    [Fact]
    public async Task A_point_layer_takes_one_vertex_a_row()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var csv = new StringBuilder("code,address,wkt\n")
            .Append("MC-00000001,one,POINT (7.42 43.73)\n")
            .Append("MC-00000002,two,\"MULTIPOINT ((7.42 43.73), (7.421 43.73))\"\n");
        var result = await h.ImportAsync(h.File("a.csv", csv.ToString()), "addresses");

        Assert.Equal(new BadRow(3, "geometry", "2 vertices, the limit for addresses is 1"), Assert.Single(result.BadRows));
    }
}
