using System.Text;
using System.Text.Json;
using GeoTwin.Server.Twin3d;
using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Server.Tests.Twin3d;

/// <summary>The tileset folder's rules and the root-volume reading, without a server.</summary>
public sealed class TilesetFilesTests
{
    [Fact]
    public void The_entry_sends_every_relative_uri_to_the_version_and_leaves_absolute_ones()
    {
        var json = """
            {"asset":{"version":"1.1"},"schemaUri":"schema.json","root":{"content":{"uri":"./tiles/0.glb"},
             "children":[{"content":{"uri":"https://elsewhere.example/x.glb"}},{"content":{"url":"old/1.b3dm"}},
             {"contents":[{"uri":"a/{level}.glb"},{"uri":"/abs.glb"},{"uri":"data:application/json,{}"}]}]}}
            """;
        var entry = JsonDocument.Parse(TilesetFiles.VersionedEntry(Encoding.UTF8.GetBytes(json), "abc")).RootElement;
        Assert.Equal("v/abc/schema.json", entry.GetProperty("schemaUri").GetString());
        var root = entry.GetProperty("root");
        Assert.Equal("v/abc/tiles/0.glb", root.GetProperty("content").GetProperty("uri").GetString());
        var children = root.GetProperty("children");
        Assert.Equal("https://elsewhere.example/x.glb", children[0].GetProperty("content").GetProperty("uri").GetString());
        Assert.Equal("v/abc/old/1.b3dm", children[1].GetProperty("content").GetProperty("url").GetString());
        var contents = children[2].GetProperty("contents");
        Assert.Equal(["v/abc/a/{level}.glb", "/abs.glb", "data:application/json,{}"], contents.EnumerateArray().Select(c => c.GetProperty("uri").GetString()!).ToArray());
    }

    [Fact]
    public void Resolve_finds_files_of_a_version_and_nothing_else()
    {
        var root = TempDirs.Make("tsfiles");
        try
        {
            var files = new TilesetFiles(root);
            Directory.CreateDirectory(Path.Combine(root, "set", "v1", "tiles"));
            File.WriteAllText(Path.Combine(root, "set", "v1", "tiles", "楼 1.glb"), "x");
            File.WriteAllText(Path.Combine(root, "set", "v1", "tiles", "a.glb.gz"), "x");
            File.WriteAllText(Path.Combine(root, "set", "v1", ".hidden"), "x");
            File.WriteAllText(Path.Combine(root, "secret"), "x");
            Assert.NotNull(files.Resolve("set", "v1", "tiles/楼 1.glb"));
            foreach (var (name, version, path) in new[]
            {
                ("set", "v1", "tiles/a.glb.gz"), ("set", "v1", ".hidden"), ("set", "v1", "../../secret"), ("set", "v1", "tiles/../../../secret"),
                ("set", "..", "secret"), ("..", "v1", "secret"), ("set", "v1", "tiles"), ("set", "v1", "tiles\\..\\..\\..\\secret"),
                ("set", "v1", "/etc/passwd"), ("set", "v1", "C:/x"), ("set", "v2", "tiles/楼 1.glb"), ("Set", "v1", "tiles/楼 1.glb"),
            })
                Assert.Null(files.Resolve(name, version, path));
        }
        finally { TempDirs.Remove(root); }
    }

    [Fact]
    public void A_box_through_the_root_transform_lands_where_the_region_says()
    {
        // A 100 m box around lon 7.42, lat 43.73 in its ENU frame, placed by the frame's ECEF matrix.
        var frame = new EnuFrame(7.42, 43.73, 50);
        var transform = string.Join(",", frame.ToEcefMatrix().Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var tileset = "{\"asset\":{\"version\":\"1.0\"},\"root\":{\"transform\":[" + transform +
            "],\"boundingVolume\":{\"box\":[0,0,0, 50,0,0, 0,50,0, 0,0,10]}}}";
        var b = RootBounds.Read(JsonDocument.Parse(tileset).RootElement);
        Assert.Equal("box", b.From);
        Assert.InRange(b.West, 7.4193, 7.4195);
        Assert.InRange(b.East, 7.4205, 7.4207);
        Assert.InRange(b.South, 43.7295, 43.7296);
        Assert.InRange(b.North, 43.7304, 43.7305);
        Assert.InRange(b.MinHeight, 39, 41);

        var atCentre = Assert.Throws<NotGeoreferencedException>(() =>
            RootBounds.Read(JsonDocument.Parse("""{"asset":{"version":"1.1"},"root":{"boundingVolume":{"sphere":[0,0,0,10]}}}""").RootElement));
        Assert.Contains("no georeference", atCentre.Message);
        Assert.Throws<InvalidDataException>(() => RootBounds.Read(JsonDocument.Parse("""{"asset":{"version":"1.1"},"root":{"boundingVolume":{"region":[10,0,11,1,0,1]}}}""").RootElement));
        Assert.Throws<InvalidDataException>(() => RootBounds.Read(JsonDocument.Parse("""{"asset":{"version":"1.1"},"root":{"boundingVolume":{"box":[1,2]}}}""").RootElement));
    }
}
