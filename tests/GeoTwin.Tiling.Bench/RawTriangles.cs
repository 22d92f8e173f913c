using GeoTwin.Tiling.Extrusion;
using GeoTwin.Tiling.Geodesy;
using GeoTwin.Tiling.Gltf;

namespace GeoTwin.Tiling.Bench;

/// <summary>
/// The reference: the same prism triangles, written as a bare float32 triangle list into one file, on one
/// thread. No checks, no tree, no spill, no glTF, no property table: the least work that produces the same
/// geometry, so builder ÷ raw is the price of a correct, streamable tileset on top of it.
/// </summary>
public static class RawTriangles
{
    public static (long Triangles, long Bytes) Write(IEnumerable<ExtrudedFeature> features, string path)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        var extruder = new PrismExtruder();
        var mesh = new MeshBuilder();
        EnuFrame? frame = null;
        long triangles = 0;
        var buffer = new byte[1 << 16];
        foreach (var f in features)
        {
            frame ??= new EnuFrame(f.Footprint.Coordinate.X, f.Footprint.Coordinate.Y, 0);
            mesh.Clear();
            extruder.Extrude(f.Footprint, f.BaseHeight, f.RoofHeight, frame, mesh, 0);
            var p = mesh.Positions;
            var bytesPerTriangle = 36;
            var idx = mesh.Indices;
            if (buffer.Length < idx.Length / 3 * bytesPerTriangle) buffer = new byte[idx.Length / 3 * bytesPerTriangle * 2];
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(buffer.AsSpan());
            for (var i = 0; i < idx.Length; i++)
            {
                var v = (int)idx[i];
                floats[3 * i] = p[3 * v]; floats[3 * i + 1] = p[3 * v + 1]; floats[3 * i + 2] = p[3 * v + 2];
            }
            file.Write(buffer, 0, idx.Length * 12);
            triangles += idx.Length / 3;
        }
        return (triangles, file.Length);
    }
}
