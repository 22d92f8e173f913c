using GeoTwin.DataImport.Import.Layers;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using Npgsql;

namespace GeoTwin.DataImport.Import;

/// <summary>
/// Where each row hangs in the jurisdiction tree, decided while the file streams: the jurisdiction the row names,
/// else the deepest police node of the layer's kinds containing it (ties: the lowest id), else the mapping's
/// fallback; and the community containing it (lowest id). A set-based UPDATE of the staged rows did this before,
/// at about 11 µs a row and a second rewrite of every row; here it is a prepared point-in-polygon test on the
/// reader's core, which runs beside the database's. Memory grows with the tree, not the file.
/// Polygons are placed by a point inside them (NTS InteriorPoint, the algorithm GEOS's ST_PointOnSurface uses).
/// </summary>
sealed class TreePlacement
{
    sealed record Node(long Id, int Depth, IPreparedGeometry Boundary);

    readonly Dictionary<string, long> _byCode = new(StringComparer.Ordinal);
    readonly STRtree<Node> _police = new(), _communities = new();
    long? _fallback;

    public static async Task<TreePlacement> LoadAsync(NpgsqlConnection conn, Placement placement, string? fallbackCode, CancellationToken ct)
    {
        var tree = new TreePlacement();
        string[] kinds = placement == Placement.Station ? ["station"] : ["responsibility_area", "station"];
        await using (var cmd = new NpgsqlCommand(EmbeddedSql.Get("Import/tree.sql"), conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var (id, code, kind) = (r.GetInt64(0), r.GetString(1), r.GetString(2));
                tree._byCode[code] = id;
                if (r.IsDBNull(4)) continue;
                var boundary = r.GetFieldValue<Geometry>(4);
                var node = new Node(id, r.GetInt32(3), PreparedGeometryFactory.Prepare(boundary));
                if (kind == "community") tree._communities.Insert(boundary.EnvelopeInternal, node);
                else if (kinds.Contains(kind)) tree._police.Insert(boundary.EnvelopeInternal, node);
            }
        // The importer has already refused a mapping whose fallback code does not exist.
        if (fallbackCode is not null) tree._fallback = tree._byCode.TryGetValue(fallbackCode, out var id) ? id : null;
        return tree;
    }

    /// <summary>The point a row is placed by: a point stands for itself, a line or polygon by a point inside it.</summary>
    public static Point? Anchor(Geometry? geometry) => geometry switch
    {
        null => null,
        Point p => p,
        _ => WithSrid(geometry.InteriorPoint, geometry.SRID),
    };

    static Point WithSrid(Point p, int srid)
    {
        p.SRID = srid;
        return p;
    }

    public (long? Jurisdiction, long? Community) Place(string? jurisdictionCode, Point? anchor)
    {
        long? community = anchor is null ? null : Best(_communities, anchor, byDepth: false);
        if (jurisdictionCode is not null)
            return (_byCode.TryGetValue(jurisdictionCode, out var named) ? named : null, community);
        return ((anchor is null ? null : Best(_police, anchor, byDepth: true)) ?? _fallback, community);
    }

    static long? Best(STRtree<Node> index, Point at, bool byDepth)
    {
        Node? best = null;
        foreach (var node in index.Query(at.EnvelopeInternal))
        {
            if (best is not null && (byDepth && node.Depth < best.Depth || (!byDepth || node.Depth == best.Depth) && node.Id > best.Id)) continue;
            if (node.Boundary.Intersects(at)) best = node;
        }
        return best?.Id;
    }
}
