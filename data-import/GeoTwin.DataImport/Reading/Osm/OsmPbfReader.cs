using System.Buffers.Binary;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Polygonize;
using NetTopologySuite.Operation.Union;
using OsmSharp;
using OsmSharp.Streams;

namespace GeoTwin.DataImport.Reading.Osm;

/// <summary>What an <see cref="OsmPbfReader"/> yields from the file.</summary>
public enum OsmLayer
{
    /// <summary>Every way with a highway tag, as a LineString; <see cref="OsmConventions.RoadClass"/> says which ones drive.</summary>
    Roads,
    /// <summary>Closed ways and multipolygon relations with a building tag, as (Multi)Polygons.</summary>
    Buildings,
    /// <summary>Everything with addr:housenumber, as a Point (a way or relation at a point inside it).</summary>
    Addresses,
    /// <summary>Nodes tagged man_made=surveillance.</summary>
    Cameras,
    /// <summary>Nodes and ways with a tourism, amenity or shop tag, as Points.</summary>
    Pois,
    /// <summary>Relations with boundary=administrative or land_area, as MultiPolygons (the demo clips to the land with them).</summary>
    Boundaries,
    /// <summary>Closed ways and multipolygon relations with a landuse, amenity, tourism or railway=station tag, as
    /// (Multi)Polygons: the demo's warning places (residential compounds, hospitals, schools, stations...).</summary>
    Areas,
    /// <summary>Named nodes, ways and multipolygon relations a caller names a place by (beaches, squares, parks,
    /// harbours, landmarks; <see cref="OsmConventions.PlaceKind"/>), as Points inside them.</summary>
    Places,
}

/// <summary>
/// Reads an OpenStreetMap PBF file with OsmSharp and assembles the geometries of one layer. Fields are the
/// element's tags plus <c>osm_id</c> ("n1", "w2", "r3"). Ways need the coordinates of their nodes and
/// relations the node lists of their ways, which a PBF stores before them: the reader keeps those in
/// memory (about 40 bytes a node), which is what any one-pass OSM reader has to do.
/// </summary>
public sealed class OsmPbfReader : ISourceReader
{
    static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    readonly Stream _stream;
    readonly string _name;
    readonly OsmLayer _layer;

    public OsmPbfReader(string path, OsmLayer layer) : this(File.OpenRead(path), layer, path) { }

    /// <param name="stream">A seekable stream, owned by the reader from now on (the demo reads an embedded copy).</param>
    /// <param name="name">How errors name the file.</param>
    public OsmPbfReader(Stream stream, OsmLayer layer, string name)
    {
        _stream = stream;
        _layer = layer;
        _name = name;
    }

    public int? DeclaredSrid => 4326;

    public double Progress => _stream.Length == 0 ? 1 : (double)_stream.Position / _stream.Length;

    public IEnumerable<SourceRecord> Read(CancellationToken ct = default)
    {
        CheckHeader();
        CheckBlocks();
        var source = new PBFOsmStreamSource(_stream);
        using var elements = source.GetEnumerator();
        var nodes = new Dictionary<long, Coordinate>();
        var wayNodes = new Dictionary<long, long[]>();
        long row = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            OsmGeo element;
            try
            {
                if (!elements.MoveNext()) break;
                element = elements.Current;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // OsmSharp reports a damaged file as whatever its decoder hit (protobuf, zlib, index errors).
                throw new InvalidDataException($"{_name}: not a readable OSM PBF file ({e.GetType().Name}: {e.Message})", e);
            }
            if (element.Id is not { } id) continue;
            switch (element)
            {
                case Node node when node.Longitude is { } lon && node.Latitude is { } lat:
                    nodes[id] = new Coordinate(lon, lat);
                    break;
                case Way way:
                    // Relations come after all ways: keep every way's nodes for the layers that assemble relations.
                    if (_layer is OsmLayer.Buildings or OsmLayer.Addresses or OsmLayer.Boundaries or OsmLayer.Areas or OsmLayer.Places) wayNodes[id] = way.Nodes;
                    break;
            }
            if (!Wanted(element)) continue;
            var (geometry, error) = Assemble(element, nodes, wayNodes);
            yield return new SourceRecord(++row, geometry, Fields(element), error);
        }
        // OsmSharp ends quietly at a cut-off blob; a file that stops before its end is damaged.
        if (_stream.Position < _stream.Length)
            throw new InvalidDataException($"{_name}: the OSM PBF file ends early (read {_stream.Position} of {_stream.Length} bytes): it is truncated or damaged");
    }

    /// <summary>A PBF file starts with a 4-byte big-endian header length and a BlobHeader of type "OSMHeader".</summary>
    void CheckHeader()
    {
        Span<byte> start = stackalloc byte[64];
        var read = _stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        _stream.Position = 0;
        var length = read >= 4 ? BinaryPrimitives.ReadInt32BigEndian(start) : -1;
        if (length is <= 0 or > 64 * 1024 || !Encoding.ASCII.GetString(start[4..read]).Contains("OSMHeader"))
            throw new InvalidDataException($"{_name}: not an OSM PBF file (it does not start with an OSMHeader block)");
    }

    /// <summary>The format's own bounds: a BlobHeader under 64 KiB, a Blob (and its unpacked size) under 32 MiB.</summary>
    const int MaxHeaderBytes = 64 << 10, MaxBlobBytes = 32 << 20;

    /// <summary>
    /// Walks the block framing before OsmSharp reads it: OsmSharp allocates what a block's header says, so a small
    /// file claiming 2 GB blocks would take that much (<see cref="InputLimits"/>). Every header and blob must be
    /// within the format's bounds and the file; a blob's declared unpacked size too. One seek and two small reads a block.
    /// </summary>
    void CheckBlocks()
    {
        var length = _stream.Length;
        var header = new byte[MaxHeaderBytes].AsSpan();
        Span<byte> blobStart = stackalloc byte[16], size = stackalloc byte[4];
        long position = 0, block = 0;
        try
        {
            while (position < length)
            {
                block++;
                _stream.Position = position;
                if (length - position < 4) throw Damaged(block, "a block length cut off");
                _stream.ReadExactly(size);
                var headerBytes = BinaryPrimitives.ReadInt32BigEndian(size);
                if (headerBytes is <= 0 or > MaxHeaderBytes) throw Damaged(block, $"a {headerBytes:N0}-byte block header (the format allows 1 to {MaxHeaderBytes:N0})");
                if (headerBytes > length - position - 4) throw Truncated(block, headerBytes, length - position - 4);
                _stream.ReadExactly(header[..headerBytes]);
                var dataBytes = Varint(header[..headerBytes], field: 3);
                if (dataBytes is not { } data || data is <= 0 or > MaxBlobBytes) throw Damaged(block, $"a block of {dataBytes:N0} bytes (the format allows 1 to {MaxBlobBytes:N0})");
                var left = length - position - 4 - headerBytes;
                if (data > left) throw Truncated(block, data, left);
                var read = _stream.ReadAtLeast(blobStart[..(int)Math.Min(blobStart.Length, data)], 1, throwOnEndOfStream: false);
                // raw_size (field 2) comes before zlib_data (field 3) as protobuf writes fields in order.
                if (Varint(blobStart[..read], field: 2, stopAtField: 3) is > MaxBlobBytes and var raw)
                    throw Damaged(block, $"a block that unpacks to {raw:N0} bytes (the format allows {MaxBlobBytes:N0})");
                position += 4 + headerBytes + data;
            }
        }
        finally
        {
            _stream.Position = 0;
        }
    }

    InvalidDataException Damaged(long block, string what) => new($"{_name}: block {block:N0} claims {what}: the OSM PBF file is damaged");

    InvalidDataException Truncated(long block, long claimed, long left) =>
        new($"{_name}: the OSM PBF file ends early (block {block:N0} claims {claimed:N0} bytes, {left:N0} are left): it is truncated or damaged");

    /// <summary>The first varint field numbered <paramref name="field"/> in a protobuf message (null if absent or cut off).</summary>
    static long? Varint(ReadOnlySpan<byte> message, int field, int stopAtField = int.MaxValue)
    {
        var i = 0;
        while (i < message.Length)
        {
            if (ReadVarint(message, ref i) is not { } key) return null;
            var (number, wire) = ((int)(key >> 3), (int)(key & 7));
            if (number >= stopAtField) return null;
            switch (wire)
            {
                case 0:
                    var value = ReadVarint(message, ref i);
                    if (number == field) return value;
                    if (value is null) return null;
                    break;
                case 2:
                    if (ReadVarint(message, ref i) is not { } skip || skip > message.Length - i) return null;
                    i += (int)skip;
                    break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                default: return null;
            }
        }
        return null;
    }

    static long? ReadVarint(ReadOnlySpan<byte> bytes, ref int i)
    {
        long value = 0;
        for (var shift = 0; shift < 64 && i < bytes.Length; shift += 7)
        {
            var b = bytes[i++];
            value |= (long)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        return null;
    }

    bool Wanted(OsmGeo e)
    {
        var tags = e.Tags;
        if (tags is null || tags.Count == 0) return false;
        return _layer switch
        {
            OsmLayer.Roads => e.Type == OsmGeoType.Way && tags.ContainsKey("highway"),
            OsmLayer.Buildings => e.Type != OsmGeoType.Node && tags.TryGetValue("building", out var b) && b != "no"
                                  && (e.Type == OsmGeoType.Way || tags.Contains("type", "multipolygon")),
            OsmLayer.Addresses => tags.ContainsKey("addr:housenumber"),
            OsmLayer.Cameras => e.Type == OsmGeoType.Node && tags.Contains("man_made", "surveillance"),
            OsmLayer.Pois => e.Type != OsmGeoType.Relation && (tags.ContainsKey("tourism") || tags.ContainsKey("amenity") || tags.ContainsKey("shop")),
            OsmLayer.Areas => (e.Type == OsmGeoType.Way || tags.Contains("type", "multipolygon"))
                              && (tags.ContainsKey("landuse") || tags.ContainsKey("amenity") || tags.ContainsKey("tourism") || tags.Contains("railway", "station")),
            OsmLayer.Places => (e.Type != OsmGeoType.Relation || tags.Contains("type", "multipolygon"))
                               && tags.ContainsKey("name") && OsmConventions.PlaceKind(tags.ToDictionary(t => t.Key, t => (string?)t.Value)) is not null,
            OsmLayer.Boundaries => e.Type == OsmGeoType.Relation && (tags.Contains("boundary", "administrative") || tags.Contains("boundary", "land_area")),
            _ => false,
        };
    }

    (Geometry?, string?) Assemble(OsmGeo e, Dictionary<long, Coordinate> nodes, Dictionary<long, long[]> wayNodes)
    {
        var asPoint = _layer is OsmLayer.Addresses or OsmLayer.Cameras or OsmLayer.Pois or OsmLayer.Places;
        switch (e)
        {
            case Node n:
                return nodes.TryGetValue(n.Id!.Value, out var c) ? (Factory.CreatePoint(c.Copy()), null) : (null, $"node n{n.Id} has no coordinates");
            case Way w:
            {
                if (Coordinates(w.Nodes, nodes) is not { } coords) return (null, $"way w{w.Id} refers to a node missing from the file");
                if (coords.Length < 2) return (null, $"way w{w.Id} has fewer than 2 nodes");
                if (_layer == OsmLayer.Roads) return (Factory.CreateLineString(coords), null);
                if (coords.Length < 4 || !coords[0].Equals2D(coords[^1]))
                {
                    if (asPoint) return (Factory.CreateLineString(coords).InteriorPoint, null);
                    return (null, $"way w{w.Id} is not closed, so it has no area");
                }
                var polygon = Valid(Factory.CreatePolygon(coords));
                return polygon.IsEmpty ? (null, $"way w{w.Id} has no area") : (asPoint ? polygon.InteriorPoint : polygon, null);
            }
            case Relation r:
            {
                var area = Area(r, nodes, wayNodes, out var error);
                if (area is null) return (null, error);
                return (asPoint ? area.InteriorPoint : area, null);
            }
        }
        return (null, "unknown element");
    }

    /// <summary>Outer rings minus inner rings; the rings are built from the member ways by polygonizing them.</summary>
    static Geometry? Area(Relation r, Dictionary<long, Coordinate> nodes, Dictionary<long, long[]> wayNodes, out string? error)
    {
        var outer = new List<Geometry>();
        var inner = new List<Geometry>();
        foreach (var m in r.Members.Where(m => m.Type == OsmGeoType.Way))
        {
            if (!wayNodes.TryGetValue(m.Id, out var ids) || Coordinates(ids, nodes) is not { Length: >= 2 } coords)
            {
                error = $"relation r{r.Id} is incomplete in this file (way w{m.Id} or its nodes are missing)";
                return null;
            }
            (m.Role == "inner" ? inner : outer).Add(Factory.CreateLineString(coords));
        }
        var shell = Polygonize(outer);
        if (shell.IsEmpty)
        {
            error = $"relation r{r.Id}: its outer ways do not form a closed ring";
            return null;
        }
        var holes = Polygonize(inner);
        var area = holes.IsEmpty ? shell : shell.Difference(holes);
        error = null;
        return area switch
        {
            Polygon p => Factory.CreateMultiPolygon([p]),
            MultiPolygon mp => mp,
            _ => Factory.CreateMultiPolygon(PolygonExtracter.GetPolygons(area).Cast<Polygon>().ToArray()),
        };
    }

    static Geometry Polygonize(List<Geometry> lines)
    {
        if (lines.Count == 0) return Factory.CreatePolygon();
        // Ways that share end nodes are already noded; a union of the lines nodes them where they only cross.
        var polygonizer = new Polygonizer();
        polygonizer.Add(UnaryUnionOp.Union(lines));
        var polygons = polygonizer.GetPolygons().Select(Valid).ToList();
        return polygons.Count == 0 ? Factory.CreatePolygon() : UnaryUnionOp.Union(polygons);
    }

    /// <summary>A self-touching or bow-tie outline is repaired; checking first is cheaper than repairing all.</summary>
    static Geometry Valid(Geometry g) => g.IsValid ? g : GeometryFixer.Fix(g);

    static Coordinate[]? Coordinates(long[] ids, Dictionary<long, Coordinate> nodes)
    {
        var coords = new Coordinate[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            if (!nodes.TryGetValue(ids[i], out var c)) return null;
            coords[i] = c.Copy();
        }
        return coords;
    }

    static Dictionary<string, string?> Fields(OsmGeo e)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in e.Tags) fields[tag.Key] = tag.Value;
        fields["osm_id"] = e.Type switch { OsmGeoType.Node => "n", OsmGeoType.Way => "w", _ => "r" } + e.Id;
        return fields;
    }

    public void Dispose() => _stream.Dispose();
}
