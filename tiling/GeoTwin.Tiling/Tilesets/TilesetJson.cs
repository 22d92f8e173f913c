using System.Text.Json;

namespace GeoTwin.Tiling.Tilesets;

/// <summary>tileset.json in 3D Tiles 1.1 with explicit tiling: every tile is listed in the one file.</summary>
internal static class TilesetJson
{
    public static byte[] Write(TileNode root, Refinement refine, string? version)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("asset");
            w.WriteString("version", "1.1");
            if (version is not null) w.WriteString("tilesetVersion", version);
            w.WriteEndObject();
            // The error of showing nothing at all: twice the root's, so the root is requested before it is needed.
            w.WriteNumber("geometricError", Math.Max(root.GeometricError * 2, 1));
            w.WritePropertyName("root");
            WriteTile(w, root, parent: null, refine);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteTile(Utf8JsonWriter w, TileNode tile, TileNode? parent, Refinement refine)
    {
        w.WriteStartObject();
        w.WriteStartObject("boundingVolume");
        w.WriteStartArray("region");
        var r = tile.Region;
        foreach (var degrees in (double[])[r.West, r.South, r.East, r.North]) w.WriteNumberValue(degrees * (Math.PI / 180));
        w.WriteNumberValue(r.MinHeight);
        w.WriteNumberValue(r.MaxHeight);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNumber("geometricError", tile.GeometricError);
        if (parent is null) w.WriteString("refine", refine == Refinement.Add ? "ADD" : "REPLACE");
        w.WriteStartArray("transform");
        var transform = parent is null ? tile.Frame!.ToEcefMatrix() : tile.Frame!.ToMatrixRelativeTo(parent.Frame!);
        foreach (var v in transform) w.WriteNumberValue(v);
        w.WriteEndArray();
        w.WriteStartObject("content");
        w.WriteString("uri", tile.ContentUri);
        w.WriteEndObject();
        if (!tile.IsLeaf)
        {
            w.WriteStartArray("children");
            foreach (var child in tile.Children) WriteTile(w, child, tile, refine);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
