using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GeoTwin.DataImport.Photogrammetry;
using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.DataImport.Tests.Photogrammetry;

/// <summary>Converts the real Production_5 tile set once (osgconv takes a few seconds) for every test here.</summary>
public sealed class Production5 : IDisposable
{
    public string Source { get; }
    public string Output { get; } = Path.Combine(Path.GetTempPath(), $"geotwin-osgb-{Guid.NewGuid():N}");
    public PhotogrammetrySummary Summary { get; }
    public JsonElement Tileset { get; }

    public Production5()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "GeoTwin.sln"))) dir = Path.GetDirectoryName(dir);
        Source = Path.GetFullPath(Path.Combine(dir ?? throw new InvalidOperationException("GeoTwin.sln not found above the tests"), "tests", "data", "osgb", "Production_5"));
        Summary = PhotogrammetryConverter.Convert(Source, Output);
        Tileset = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Output, "tileset.json"))).RootElement.Clone();
    }

    public void Dispose()
    {
        if (Directory.Exists(Output)) Directory.Delete(Output, recursive: true);
    }

    /// <summary>Every tile with its parent and the transform its ancestors add up to (column-major).</summary>
    public IEnumerable<(JsonElement Tile, JsonElement? Parent, double[] World)> Tiles()
    {
        var stack = new Stack<(JsonElement, JsonElement?, double[])>();
        stack.Push((Tileset.GetProperty("root"), null, ColumnMajor.Identity()));
        while (stack.Count > 0)
        {
            var (tile, parent, world) = stack.Pop();
            var own = tile.TryGetProperty("transform", out var t) ? ColumnMajor.Multiply(world, t.EnumerateArray().Select(e => e.GetDouble()).ToArray()) : world;
            yield return (tile, parent, own);
            if (tile.TryGetProperty("children", out var children))
                foreach (var c in children.EnumerateArray()) stack.Push((c, tile, own));
        }
    }

}

public sealed class PhotogrammetryConverterTests(Production5 set) : IClassFixture<Production5>
{
    private static string Uri(JsonElement tile) => tile.TryGetProperty("content", out var c) ? c.GetProperty("uri").GetString()! : "";

    [Fact]
    public void Every_PagedLOD_level_is_in_the_tileset()
    {
        var files = Directory.GetFiles(Path.Combine(set.Source, "Data", "Tile_+000_+012"), "*.osgb").Select(f => Path.GetFileNameWithoutExtension(f)).Order().ToList();
        var converted = set.Tiles().Select(t => Uri(t.Tile)).Where(u => u.Length > 0)
            .Select(u => Path.GetFileNameWithoutExtension(u)[..Path.GetFileNameWithoutExtension(u).LastIndexOf('_')]).Distinct().Order().ToList();
        Assert.Equal(files, converted);
        foreach (var level in new[] { "L15", "L16", "L17", "L18", "L19" })
            Assert.Contains(converted, f => f.Contains($"_{level}_"));
        Assert.Equal(6, set.Summary.Depth);   // the root file (L14 mesh), then L15 to L19
    }

    [Fact]
    public void A_missing_child_file_ends_its_branch_with_a_warning()
    {
        Assert.NotEmpty(set.Summary.Warnings);
        Assert.All(set.Summary.Warnings, w => Assert.Matches(@"Tile_\+000_\+012_L20_\w+\.osgb, named by Tile_\+000_\+012_L19_\w+\.osgb, is missing", w));
        foreach (var (tile, _, _) in set.Tiles().Where(t => Uri(t.Tile).Contains("_L19_")))
        {
            Assert.False(tile.TryGetProperty("children", out _));
            Assert.Equal(0, tile.GetProperty("geometricError").GetDouble());
        }
    }

    [Fact]
    public void Geometric_error_falls_and_children_lie_inside_their_parents()
    {
        Assert.Equal("REPLACE", set.Tileset.GetProperty("root").GetProperty("refine").GetString());
        foreach (var (tile, parent, _) in set.Tiles())
        {
            if (parent is not { } p) continue;
            Assert.True(tile.GetProperty("geometricError").GetDouble() < p.GetProperty("geometricError").GetDouble(), Uri(tile));
            var c = Region(tile);
            var r = Region(p);
            Assert.True(c[0] >= r[0] && c[1] >= r[1] && c[2] <= r[2] && c[3] <= r[3] && c[4] >= r[4] && c[5] <= r[5], Uri(tile));
        }
        static double[] Region(JsonElement t) => t.GetProperty("boundingVolume").GetProperty("region").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    [Fact]
    public void Every_tile_keeps_its_jpeg_textures()
    {
        foreach (var (tile, _, _) in set.Tiles().Where(t => Uri(t.Tile).Length > 0))
        {
            var (json, bin) = ReadGlb(Path.Combine(set.Output, Uri(tile)));
            Assert.True(json.TryGetProperty("images", out var imageArray), $"{Uri(tile)} has no images");
            var images = imageArray.EnumerateArray().ToList();
            Assert.NotEmpty(images);
            foreach (var image in images)
            {
                Assert.Equal("image/jpeg", image.GetProperty("mimeType").GetString());
                var view = json.GetProperty("bufferViews")[image.GetProperty("bufferView").GetInt32()];
                Assert.Equal(0xFF, bin[view.GetProperty("byteOffset").GetInt32()]);
            }
            Assert.All(json.GetProperty("meshes")[0].GetProperty("primitives").EnumerateArray(), p => Assert.True(p.GetProperty("attributes").TryGetProperty("TEXCOORD_0", out _)));
            // Photographs already hold the light: shown unlit, as ContextCapture's own 3D Tiles are.
            Assert.All(json.GetProperty("materials").EnumerateArray(), m => Assert.True(m.GetProperty("extensions").TryGetProperty("KHR_materials_unlit", out _)));
        }
    }

    [Theory]
    [InlineData("Tile_+000_+012.osgb", "tiles/Tile_+000_+012_0.glb")]
    [InlineData("Tile_+000_+012_L19_0uuuu2.osgb", "tiles/Tile_+000_+012_L19_0uuuu2_0.glb")]
    public void Vertices_land_within_ten_centimetres_of_where_PROJ_puts_them(string osgb, string uri)
    {
        var source = OsgbFile.Read(Path.Combine(set.Source, "Data", "Tile_+000_+012", osgb))[0].Meshes[0];
        var (_, _, world) = set.Tiles().Single(t => Uri(t.Tile) == uri);
        var (json, bin) = ReadGlb(Path.Combine(set.Output, uri));
        var positions = Floats(json, bin, json.GetProperty("meshes")[0].GetProperty("primitives")[0].GetProperty("attributes").GetProperty("POSITION").GetInt32());

        var metadata = ContextCaptureMetadata.Load(Path.Combine(set.Source, "metadata.xml"));
        var sample = Enumerable.Range(0, source.Positions.Length / 3).Where(v => v % 97 == 0).ToList();
        var input = string.Join("\n", sample.Select(v => string.Create(CultureInfo.InvariantCulture,
            $"{metadata.Origin.X + source.Positions[3 * v]:F4} {metadata.Origin.Y + source.Positions[3 * v + 1]:F4} {metadata.Origin.Z + source.Positions[3 * v + 2]:F4}")));
        var proj = Cs2cs(metadata.Srs, input);
        Assert.Equal(sample.Count, proj.Count);
        for (var i = 0; i < sample.Count; i++)
        {
            var v = sample[i];
            var ecef = ColumnMajor.GltfToWorld(world, positions[3 * v], positions[3 * v + 1], positions[3 * v + 2]);
            var d = Math.Sqrt(Math.Pow(ecef.Item1 - proj[i].X, 2) + Math.Pow(ecef.Item2 - proj[i].Y, 2) + Math.Pow(ecef.Item3 - proj[i].Z, 2));
            Assert.True(d < 0.1, $"vertex {v} is {d:F3} m from PROJ's {proj[i]}");
        }
    }

    /// <summary>PROJ's cs2cs from the tile set's own WKT to WGS84 geocentric (EPSG:4978).</summary>
    private static List<(double X, double Y, double Z)> Cs2cs(string wkt, string input)
    {
        var start = new ProcessStartInfo("cs2cs") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-f", "%.4f", wkt, "EPSG:4978" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(input + "\n");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var n = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            return (n[0], n[1], n[2]);
        }).ToList();
    }

    private static (JsonElement Json, byte[] Bin) ReadGlb(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0x46546C67u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        var jsonLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        var json = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 20, jsonLength)).RootElement.Clone();
        return (json, bytes[(20 + jsonLength + 8)..]);
    }

    private static float[] Floats(JsonElement json, byte[] bin, int accessor)
    {
        var a = json.GetProperty("accessors")[accessor];
        var view = json.GetProperty("bufferViews")[a.GetProperty("bufferView").GetInt32()];
        var offset = view.GetProperty("byteOffset").GetInt32();
        var values = new float[a.GetProperty("count").GetInt32() * 3];
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bin.AsSpan(offset + 4 * i));
        return values;
    }
}
