using System.Text.Json;
using GeoTwin.Tiling.Extrusion;
using GeoTwin.Tiling.Geodesy;
using GeoTwin.Tiling.Gltf;
using GeoTwin.Tiling.Tests.Extrusion;
using GeoTwin.Tiling.Tests.Gltf;
using GeoTwin.Tiling.Tilesets;
using NetTopologySuite.Geometries;

namespace GeoTwin.Tiling.Tests.Tilesets;

public sealed class TilesetBuilderTests : IDisposable
{
    private static readonly FeatureClass House = new("house",
    [
        new("code", PropertyType.String),
        new("use", PropertyType.String),
        new("floors", PropertyType.Int32),
        new("height", PropertyType.Float64),
        new("residents", PropertyType.Int32),
    ]);

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"geotwin-tileset-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>Houses on a jittered 30 m grid in southern China, one with its corner on a point PROJ placed for us.</summary>
    private static IEnumerable<ExtrudedFeature> Houses(int count, int seed = 1)
    {
        var random = new Random(seed);
        var side = (int)Math.Ceiling(Math.Sqrt(count));
        var (perLon, perLat) = Wgs84.MetresPerDegree(22.49);
        for (var i = 0; i < count; i++)
        {
            var lon = 113.36 + i % side * 30 / perLon + random.NextDouble() * 5 / perLon;
            var lat = 22.48 + i / side * 30 / perLat + random.NextDouble() * 5 / perLat;
            Geometry footprint = i % 7 == 3
                ? Footprints.Courtyard(lon, lat)
                : Footprints.Rectangle(lon, lat, 6 + random.NextDouble() * 14, 6 + random.NextDouble() * 14);
            var floors = 1 + random.Next(8);
            yield return new ExtrudedFeature($"h{i:D5}", footprint, 2, 2 + 3 * floors,
                [$"4401{i:D8}", i % 5 == 0 ? "shop" : "home", floors, 3.0 * floors, i % 4 == 0 ? null : random.Next(20)]);
        }
        yield return new ExtrudedFeature("landmark", Footprints.Rectangle(113.371, 22.4905, 8, 8), 10, 25, ["4401landmark", "police", 5, 15.0, 0]);
    }

    private string Build(IEnumerable<ExtrudedFeature> features, TilesetOptions? options = null, string name = "out")
    {
        var dir = Path.Combine(_root, name);
        TilesetBuilder.Build(features, House, dir, options ?? new TilesetOptions { MaxFeaturesPerTile = 40 });
        return dir;
    }

    private static JsonElement Tileset(string dir) => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "tileset.json"))).RootElement;

    private static IEnumerable<(JsonElement Tile, JsonElement? Parent, double[] World)> Tiles(JsonElement tileset)
    {
        var stack = new Stack<(JsonElement, JsonElement?, double[])>();
        var root = tileset.GetProperty("root");
        stack.Push((root, null, Matrix(root)));
        while (stack.Count > 0)
        {
            var (tile, parent, world) = stack.Pop();
            yield return (tile, parent, world);
            if (tile.TryGetProperty("children", out var children))
                foreach (var child in children.EnumerateArray())
                    stack.Push((child, tile, ColumnMajor.Multiply(world, Matrix(child))));
        }

        static double[] Matrix(JsonElement t) => t.GetProperty("transform").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    private static double[] Region(JsonElement tile) =>
        tile.GetProperty("boundingVolume").GetProperty("region").EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static Glb Content(string dir, JsonElement tile) =>
        Glb.Parse(File.ReadAllBytes(Path.Combine(dir, tile.GetProperty("content").GetProperty("uri").GetString()!)));

    [Fact]
    public void The_tileset_has_every_field_3D_Tiles_1_1_requires()
    {
        var dir = Build(Houses(300));
        var tileset = Tileset(dir);
        var asset = tileset.GetProperty("asset");
        Assert.Equal("1.1", asset.GetProperty("version").GetString());
        Assert.Matches("^[0-9a-f]{16}$", asset.GetProperty("tilesetVersion").GetString());
        Assert.True(tileset.GetProperty("geometricError").GetDouble() >= tileset.GetProperty("root").GetProperty("geometricError").GetDouble());
        Assert.Equal("ADD", tileset.GetProperty("root").GetProperty("refine").GetString());
        foreach (var (tile, _, _) in Tiles(tileset))
        {
            Assert.Equal(6, Region(tile).Length);
            Assert.True(tile.GetProperty("geometricError").GetDouble() >= 0);
            Assert.Equal(16, tile.GetProperty("transform").GetArrayLength());
            var uri = tile.GetProperty("content").GetProperty("uri").GetString()!;
            Assert.Matches(@"^tiles/\d+/\d+_\d+\.glb$", uri);
            Assert.True(File.Exists(Path.Combine(dir, uri)), uri);
        }
        Assert.Equal(["tiles", "tileset.json"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order());
        Assert.False(Directory.Exists(dir + ".partial"));
    }

    [Theory]
    [InlineData(Refinement.Add)]
    [InlineData(Refinement.Replace)]
    public void Children_lie_inside_their_parents_and_geometric_error_falls_to_zero_at_the_leaves(Refinement refine)
    {
        var tileset = Tileset(Build(Houses(500), new TilesetOptions { MaxFeaturesPerTile = 30, Refine = refine }));
        var tiles = Tiles(tileset).ToList();
        Assert.True(tiles.Count > 10, $"only {tiles.Count} tiles");
        foreach (var (tile, parent, _) in tiles)
        {
            var error = tile.GetProperty("geometricError").GetDouble();
            if (!tile.TryGetProperty("children", out _)) Assert.Equal(0, error);
            else Assert.True(error > 0);
            if (parent is not { } p) continue;
            Assert.True(error < p.GetProperty("geometricError").GetDouble(), "geometric error must fall from parent to child");
            var (c, r) = (Region(tile), Region(p));
            Assert.True(c[0] >= r[0] && c[1] >= r[1] && c[2] <= r[2] && c[3] <= r[3] && c[4] >= r[4] && c[5] <= r[5],
                $"child region [{string.Join(", ", c)}] is not inside [{string.Join(", ", r)}]");
        }
    }

    [Theory]
    [InlineData(Refinement.Add)]
    [InlineData(Refinement.Replace)]
    public void Every_feature_is_drawn_where_the_refinement_says(Refinement refine)
    {
        const int count = 400, max = 25;
        var dir = Build(Houses(count), new TilesetOptions { MaxFeaturesPerTile = max, Refine = refine });
        var inTiles = new List<string>();
        var inLeaves = new List<string>();
        foreach (var (tile, _, _) in Tiles(Tileset(dir)))
        {
            var glb = Content(dir, tile);
            glb.AssertWellFormed();
            var ids = glb.PropertyColumn(TilesetBuilder.IdProperty).Cast<string>().ToList();
            Assert.InRange(ids.Count, 1, max);
            inTiles.AddRange(ids);
            if (!tile.TryGetProperty("children", out _)) inLeaves.AddRange(ids);
        }
        var all = Houses(count).Select(f => f.Id).Order().ToList();
        if (refine == Refinement.Add) Assert.Equal(all, inTiles.Order());   // once in the whole tree
        else Assert.Equal(all, inLeaves.Order());                           // once among the leaves; parents repeat some
    }

    [Fact]
    public void A_click_finds_the_house_the_feature_id_points_at()
    {
        var dir = Build(Houses(120));
        var expected = Houses(120).ToDictionary(f => f.Id);
        var checkedFeatures = 0;
        foreach (var (tile, _, _) in Tiles(Tileset(dir)))
        {
            var glb = Content(dir, tile);
            var ids = glb.PropertyColumn("id");
            var floors = glb.PropertyColumn("floors");
            var residents = glb.PropertyColumn("residents");
            for (var i = 0; i < ids.Length; i++)
            {
                var house = expected[(string)ids[i]];
                Assert.Equal(house.Properties[2], floors[i]);
                Assert.Equal(house.Properties[4] ?? int.MinValue, residents[i]);
                checkedFeatures++;
            }
            var attributes = glb.Primitives().Single().GetProperty("attributes");
            Assert.Equal(Enumerable.Range(0, ids.Length).Select(i => (double)i), glb.Read(attributes.GetProperty("_FEATURE_ID_0").GetInt32()).Distinct().Order());
        }
        Assert.Equal(121, checkedFeatures);
    }

    [Fact]
    public void A_vertex_through_the_chain_of_tile_transforms_lands_on_its_ecef_point()
    {
        var dir = Build(Houses(600), new TilesetOptions { MaxFeaturesPerTile = 20 });
        var (tile, _, world) = Tiles(Tileset(dir)).Single(t => Content(dir, t.Tile).PropertyColumn("id").Contains("landmark"));
        var level = int.Parse(tile.GetProperty("content").GetProperty("uri").GetString()!.Split('/')[1]);
        Assert.True(level >= 2, $"the landmark is at level {level}: too shallow to test a chain of transforms");

        // cs2cs +proj=longlat +datum=WGS84 +to +proj=geocent +datum=WGS84 +units=m: 113.371 22.4905 25 (the landmark's south-west roof corner)
        var expected = (-2338823.6202, 5412216.5906, 2424694.5857);
        var glb = Content(dir, tile);
        var positions = glb.Read(glb.Primitives().Single().GetProperty("attributes").GetProperty("POSITION").GetInt32());
        var nearest = Enumerable.Range(0, positions.Length / 3)
            .Select(v => Solid.ToEcef(positions.Skip(3 * v).Take(3).Select(p => (float)p).ToArray(), world))
            .MinBy(e => Solid.Distance(e, expected));
        Assert.True(Solid.Distance(nearest, expected) < 0.02, $"{Solid.Distance(nearest, expected):F3} m off");
    }

    [Fact]
    public void Content_lies_inside_its_tile_region()
    {
        var dir = Build(Houses(300), new TilesetOptions { MaxFeaturesPerTile = 30 });
        foreach (var (tile, _, world) in Tiles(Tileset(dir)))
        {
            var r = Region(tile);
            var glb = Content(dir, tile);
            var positions = glb.Read(glb.Primitives().Single().GetProperty("attributes").GetProperty("POSITION").GetInt32());
            for (var v = 0; v < positions.Length; v += 3)
            {
                var (lon, lat, h) = Geodetic(Solid.ToEcef([(float)positions[v], (float)positions[v + 1], (float)positions[v + 2]], world));
                const double cm = 0.01 / 6378137;   // a centimetre in radians, for float32 vertices
                Assert.InRange(lon, r[0] - cm, r[2] + cm);
                Assert.InRange(lat, r[1] - cm, r[3] + cm);
                Assert.InRange(h, r[4] - 0.01, r[5] + 0.01);
            }
        }
    }

    [Fact]
    public void The_same_input_gives_byte_identical_files_and_a_change_gives_a_new_version()
    {
        var options = new TilesetOptions { MaxFeaturesPerTile = 30, MaxDegreeOfParallelism = 2 };
        var a = Build(Houses(300), options, "a");
        var b = Build(Houses(300), options with { MaxDegreeOfParallelism = 1 }, "b");
        var files = Directory.EnumerateFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToList();
        Assert.Equal(files, Directory.EnumerateFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order());
        Assert.All(files, f => Assert.True(File.ReadAllBytes(Path.Combine(a, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, f))), f));

        var changed = Build(Houses(300).Select(f => f.Id == "h00042" ? f with { RoofHeight = f.RoofHeight + 1 } : f), options, "c");
        Assert.NotEqual(Tileset(a).GetProperty("asset").GetProperty("tilesetVersion").GetString(),
            Tileset(changed).GetProperty("asset").GetProperty("tilesetVersion").GetString());
        Assert.Equal("v42", Tileset(Build(Houses(10), options with { Version = "v42" }, "d")).GetProperty("asset").GetProperty("tilesetVersion").GetString());
    }

    [Fact]
    public void With_a_fixed_root_cell_an_edit_rewrites_only_the_tile_that_draws_the_house()
    {
        var options = new TilesetOptions { MaxFeaturesPerTile = 30, RootCell = (113.35, 22.47, 113.40, 22.52) };
        var before = Build(Houses(300), options, "before");
        var after = Build(Houses(300).Select(f => f.Id == "h00042" ? f with { Properties = [.. f.Properties.Take(4), 99] } : f), options, "after");

        var changed = Directory.EnumerateFiles(Path.Combine(before, "tiles"), "*.glb", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(before, f))
            .Where(f => !File.ReadAllBytes(Path.Combine(before, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(after, f))))
            .ToList();
        var holder = Tiles(Tileset(before)).Single(t => Content(before, t.Tile).PropertyColumn("id").Contains("h00042"));
        Assert.Equal([holder.Tile.GetProperty("content").GetProperty("uri").GetString()!], changed);
        Assert.NotEqual(Tileset(before).GetProperty("asset").GetProperty("tilesetVersion").GetString(),
            Tileset(after).GetProperty("asset").GetProperty("tilesetVersion").GetString());
    }

    [Fact]
    public void Tiles_pass_the_Khronos_validator()
    {
        var dir = Build(Houses(200), new TilesetOptions { MaxFeaturesPerTile = 50 });
        var reports = KhronosValidator.Validate(Directory.GetFiles(Path.Combine(dir, "tiles"), "*.glb", SearchOption.AllDirectories));
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.True(r.Errors == 0 && r.Warnings == 0, r.ToString()));
    }

    public static TheoryData<string, string> BadFeatures => new()
    {
        { "empty", "feature 'bad' (#3): footprint is empty" },
        { "bow-tie", "feature 'bad' (#3): footprint is not a valid polygon: Self-intersection" },
        { "roof below base", "feature 'bad' (#3): roof height 5 m is not above base height 8 m" },
        { "NaN coordinate", "feature 'bad' (#3): footprint has a coordinate that is not a finite number (NaN 22.49)" },
        { "NaN height", "feature 'bad' (#3): roof height is not a finite number (NaN)" },
        { "projected", "feature 'bad' (#3): footprint coordinate (500000 2488718) is not a longitude/latitude: footprints must be EPSG:4326" },
        { "point", "feature 'bad' (#3): footprint must be a Polygon or MultiPolygon, got Point" },
        { "wrong type", "feature 'bad' (#3): property 'floors' must be a whole number that fits Int32, got three (String)" },
        { "too few values", "feature 'bad' (#3): has 2 property values, class 'house' has 5 properties" },
        { "no id", "feature #3: has no id" },
    };

    [Theory]
    [MemberData(nameof(BadFeatures))]
    public void Bad_input_is_refused_naming_the_feature_and_leaves_no_files(string problem, string message)
    {
        var f = Footprints.Factory;
        var good = new ExtrudedFeature("bad", Footprints.Rectangle(113.37, 22.49, 10, 10), 8, 14, ["c", "home", 2, 6.0, 1]);
        var bad = problem switch
        {
            "empty" => good with { Footprint = f.CreatePolygon() },
            "bow-tie" => good with { Footprint = f.CreatePolygon([new(113.37, 22.49), new(113.371, 22.491), new(113.371, 22.49), new(113.37, 22.491), new(113.37, 22.49)]) },
            "roof below base" => good with { RoofHeight = 5 },
            "NaN coordinate" => good with { Footprint = f.CreatePolygon([new(113.37, 22.49), new(double.NaN, 22.49), new(113.371, 22.491), new(113.37, 22.49)]) },
            "NaN height" => good with { RoofHeight = double.NaN },
            "projected" => good with { Footprint = f.CreatePolygon([new(500000, 2488718), new(500010, 2488718), new(500010, 2488728), new(500000, 2488718)]) },
            "point" => good with { Footprint = f.CreatePoint(new Coordinate(113.37, 22.49)) },
            "wrong type" => good with { Properties = ["c", "home", "three", 6.0, 1] },
            "too few values" => good with { Properties = ["c", "home"] },
            _ => good with { Id = "" },
        };
        var dir = Path.Combine(_root, "bad");
        var e = Assert.Throws<ArgumentException>(() => TilesetBuilder.Build(Houses(3).Take(3).Append(bad).Concat(Houses(50)), House, dir));
        Assert.StartsWith(message, e.Message);
        Assert.False(Directory.Exists(dir));
        Assert.False(Directory.Exists(dir + ".partial"));
    }

    [Fact]
    public void An_output_directory_with_files_in_it_is_refused()
    {
        var dir = Path.Combine(_root, "full");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "keep.txt"), "mine");
        var e = Assert.Throws<ArgumentException>(() => TilesetBuilder.Build(Houses(5), House, dir));
        Assert.Contains("is not empty", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "keep.txt")));
    }

    [Fact]
    public void The_id_property_is_reserved_for_the_feature_id()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            TilesetBuilder.Build(Houses(5), new FeatureClass("house", [new("id", PropertyType.String)]), Path.Combine(_root, "x")));
        Assert.Contains("'id' is reserved", e.Message);
    }

    /// <summary>ECEF to geodetic radians and metres (Bowring's iteration, converged to well under a millimetre).</summary>
    private static (double Lon, double Lat, double Height) Geodetic((double X, double Y, double Z) p)
    {
        var lon = Math.Atan2(p.Y, p.X);
        var r = Math.Sqrt(p.X * p.X + p.Y * p.Y);
        var lat = Math.Atan2(p.Z, r * (1 - Wgs84.EccentricitySquared));
        double h = 0;
        for (var i = 0; i < 6; i++)
        {
            var n = Wgs84.SemiMajorAxis / Math.Sqrt(1 - Wgs84.EccentricitySquared * Math.Sin(lat) * Math.Sin(lat));
            h = r / Math.Cos(lat) - n;
            lat = Math.Atan2(p.Z, r * (1 - Wgs84.EccentricitySquared * n / (n + h)));
        }
        return (lon, lat, h);
    }
}
