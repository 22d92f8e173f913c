using System.Buffers.Binary;
using System.Text;
using GeoTwin.Tiling.Extrusion;
using GeoTwin.Tiling.Gltf;
using NetTopologySuite.Geometries;

namespace GeoTwin.Tiling.Tilesets;

/// <summary>
/// Features parked on disk between the pass that plans the tile tree and the pass that writes the tiles, so the
/// input is read once and only one tile's features are in memory at a time. A record is read back by its
/// offset and length (positional reads: safe from several workers at once).
/// </summary>
internal sealed class FeatureSpill : IDisposable
{
    private readonly FileStream _file;
    private readonly FeatureClass _class;
    private byte[] _scratch = new byte[4096];
    private long _length;

    public FeatureSpill(string path, FeatureClass featureClass)
    {
        _class = featureClass;
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    /// <returns>where the record starts and how long it is.</returns>
    public (long Offset, int Length) Append(ExtrudedFeature f)
    {
        var w = new Writer(_scratch);
        w.String(f.Id);
        w.Double(f.BaseHeight);
        w.Double(f.RoofHeight);
        for (var i = 0; i < _class.Properties.Count; i++)
        {
            var v = f.Properties[i];
            w.Byte(v is null ? (byte)0 : (byte)1);
            if (v is null) continue;
            switch (_class.Properties[i].Type)
            {
                case PropertyType.String: w.String((string)v); break;
                case PropertyType.Int32: w.Int(Convert.ToInt32(v)); break;
                default: w.Double(Convert.ToDouble(v)); break;
            }
        }
        w.Int(f.Footprint.NumGeometries);
        for (var p = 0; p < f.Footprint.NumGeometries; p++)
        {
            var polygon = (Polygon)f.Footprint.GetGeometryN(p);
            w.Int(1 + polygon.NumInteriorRings);
            w.Ring(polygon.Shell.CoordinateSequence);
            foreach (var hole in polygon.Holes) w.Ring(hole.CoordinateSequence);
        }
        _scratch = w.Buffer;
        var offset = _length;
        _file.Write(_scratch, 0, w.Length);
        _length += w.Length;
        return (offset, w.Length);
    }

    /// <summary>Makes everything appended readable by <see cref="Read"/>.</summary>
    public void Seal() => _file.Flush();

    public ExtrudedFeature Read(long offset, int length, ref byte[] buffer, GeometryFactory factory)
    {
        if (buffer.Length < length) buffer = new byte[Math.Max(length, buffer.Length * 2)];
        var span = buffer.AsSpan(0, length);
        RandomAccess.Read(_file.SafeFileHandle, span, offset);
        var r = new Reader(span);
        var id = r.String();
        var baseHeight = r.Double();
        var roofHeight = r.Double();
        var values = new object?[_class.Properties.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (r.Byte() == 0) continue;
            values[i] = _class.Properties[i].Type switch
            {
                PropertyType.String => r.String(),
                PropertyType.Int32 => r.Int(),
                _ => r.Double(),
            };
        }
        var polygons = new Polygon[r.Int()];
        for (var p = 0; p < polygons.Length; p++)
        {
            var rings = new LinearRing[r.Int()];
            for (var k = 0; k < rings.Length; k++) rings[k] = factory.CreateLinearRing(r.Ring());
            polygons[p] = factory.CreatePolygon(rings[0], rings[1..]);
        }
        Geometry footprint = polygons.Length == 1 ? polygons[0] : factory.CreateMultiPolygon(polygons);
        return new ExtrudedFeature(id, footprint, baseHeight, roofHeight, values);
    }

    public void Dispose() => _file.Dispose();

    private ref struct Writer(byte[] buffer)
    {
        public byte[] Buffer = buffer;
        public int Length;

        private Span<byte> Take(int n)
        {
            if (Length + n > Buffer.Length) Array.Resize(ref Buffer, Math.Max(Buffer.Length * 2, Length + n));
            var span = Buffer.AsSpan(Length, n);
            Length += n;
            return span;
        }

        public void Byte(byte b) => Take(1)[0] = b;
        public void Int(int v) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), v);
        public void Double(double v) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), v);

        public void String(string s)
        {
            var n = Encoding.UTF8.GetByteCount(s);
            Int(n);
            Encoding.UTF8.GetBytes(s, Take(n));
        }

        public void Ring(CoordinateSequence seq)
        {
            Int(seq.Count);
            for (var i = 0; i < seq.Count; i++) { Double(seq.GetX(i)); Double(seq.GetY(i)); }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> span)
    {
        private readonly ReadOnlySpan<byte> _span = span;
        private int _at;

        private ReadOnlySpan<byte> Take(int n)
        {
            var s = _span.Slice(_at, n);
            _at += n;
            return s;
        }

        public byte Byte() => Take(1)[0];
        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
        public string String() => Encoding.UTF8.GetString(Take(Int()));

        public Coordinate[] Ring()
        {
            var points = new Coordinate[Int()];
            for (var i = 0; i < points.Length; i++) points[i] = new Coordinate(Double(), Double());
            return points;
        }
    }
}
