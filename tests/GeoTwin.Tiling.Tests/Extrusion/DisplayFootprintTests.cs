using GeoTwin.Tiling.Extrusion;
using GeoTwin.Tiling.Gltf;
using GeoTwin.Tiling.Tilesets;
using NetTopologySuite.Geometries;

namespace GeoTwin.Tiling.Tests.Extrusion;

/// <summary>A legal but very detailed footprint is simplified for display, so one house cannot bloat the GLB every viewer loads.</summary>
public sealed class DisplayFootprintTests : IDisposable
{
    static readonly FeatureClass House = new("house", [new("use", PropertyType.String)]);

    readonly string _root = Path.Combine(Path.GetTempPath(), $"geotwin-display-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A round tower of radius 30 m drawn with 9,000 vertices (legal: the houses limit is 10,000).</summary>
    static Polygon RoundTower() =>
        Footprints.Polygon(113.36, 22.48, [.. Enumerable.Range(0, 8_999).Select(i => (30 * Math.Cos(i * 2 * Math.PI / 8_999), 30 * Math.Sin(i * 2 * Math.PI / 8_999)))]);

    /// <summary>A 90 m long house whose long sides zigzag 1 m every 2 cm: nothing to take out at 0.2 m.</summary>
    static Polygon Sawtooth() =>
        Footprints.Polygon(113.36, 22.48, [.. Enumerable.Range(0, 4_500).Select(i => (i * 0.02, i % 2 == 0 ? 0.0 : 1.0)),
            .. Enumerable.Range(0, 4_499).Select(i => (90 - i * 0.02, i % 2 == 0 ? 20.0 : 19.0))]);

    long GlbBytes(Polygon footprint, int maxFootprintVertices)
    {
        var dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        TilesetBuilder.Build([new ExtrudedFeature("h1", footprint, 0, 30, ["residential"])], House, dir,
            new TilesetOptions { MaxFootprintVertices = maxFootprintVertices, MaxDegreeOfParallelism = 1 });
        return Directory.EnumerateFiles(dir, "*.glb", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
    }

    [Fact]
    public void A_9000_vertex_house_makes_a_small_GLB_where_unsimplified_it_would_not()
    {
        var tower = RoundTower();
        Assert.Equal(9_000, tower.NumPoints);
        var simplified = GlbBytes(tower, new TilesetOptions().MaxFootprintVertices);
        var asStored = GlbBytes(tower, maxFootprintVertices: 100_000);
        Assert.True(asStored > 1_000_000, $"unsimplified: {asStored:N0} bytes");
        Assert.True(simplified < 100_000, $"simplified: {simplified:N0} bytes");
    }

    [Fact]
    public void Simplification_keeps_the_shape_within_the_tolerance_and_gives_in_until_the_footprint_fits()
    {
        var tower = RoundTower();
        var shown = DisplayFootprint.Simplify(tower, 1000);
        Assert.True(shown.IsValid);
        Assert.InRange(shown.NumPoints, 4, 1000);
        Assert.InRange(shown.Area / tower.Area, 0.99, 1.0); // at 0.2 m, a 30 m circle loses well under 1 %

        // The sawtooth cannot lose a vertex at 0.2 m: the tolerance doubles until it fits.
        var saw = Sawtooth();
        var sawShown = DisplayFootprint.Simplify(saw, 1000);
        Assert.True(sawShown.IsValid);
        Assert.InRange(sawShown.NumPoints, 4, 1000);

        var small = Footprints.Courtyard(113.36, 22.48);
        Assert.Same(small, DisplayFootprint.Simplify(small, 1000)); // a footprint under the limit is shown as stored
    }
}
