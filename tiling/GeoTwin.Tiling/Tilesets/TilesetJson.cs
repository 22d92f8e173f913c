using GeoTwin.Tiling.Geodesy;
using System.Text.Json;

namespace GeoTwin.Tiling.Tilesets;

/// <summary>tileset.json in 3D Tiles 1.1 with explicit tiling: every tile is listed in the one file.</summary>
public static class TilesetJson
{
    public static byte[] Write(TilesetTile root, Refinement refine, string? version)
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
            WriteTile(w, root, parentFrame: null, isRoot: true, refine);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <param name="parentFrame">the frame the parent's transforms add up to (null: ECEF itself).</param>
    private static void WriteTile(Utf8JsonWriter w, TilesetTile tile, EnuFrame? parentFrame, bool isRoot, Refinement refine)
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
        if (isRoot) w.WriteString("refine", refine == Refinement.Add ? "ADD" : "REPLACE");
        var frame = parentFrame;
        if (tile.Frame is { } own)
        {
            w.WriteStartArray("transform");
            foreach (var v in parentFrame is null ? own.ToEcefMatrix() : own.ToMatrixRelativeTo(parentFrame)) w.WriteNumberValue(v);
            w.WriteEndArray();
            frame = own;
        }
        if (tile.ContentUri is { } uri)
        {
            w.WriteStartObject("content");
            w.WriteString("uri", uri);
            w.WriteEndObject();
        }
        if (tile.Children.Count > 0)
        {
            w.WriteStartArray("children");
            foreach (var child in tile.Children) WriteTile(w, child, frame, isRoot: false, refine);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
