using GeoTwin.Tiling.Geodesy;
using GeoTwin.Tiling.Gltf;
using NetTopologySuite.Geometries;
using NetTopologySuite.Triangulate.Polygon;

namespace GeoTwin.Tiling.Extrusion;

/// <summary>
/// Stands a footprint up as a closed prism: a wall quad per ring edge (normal outwards), a roof and a floor,
/// flat-shaded (each face has its own vertices, so lighting shows the edges). Each vertex goes through ECEF into
/// the tile's ENU frame, so walls follow the local vertical even far from the tile centre. Positions are written
/// in glTF's y-up frame, (east, up, -north): 3D Tiles turns y-up content to z-up before the tile transform.
/// Not thread-safe: one extruder per worker, reused across features to keep allocation out of the loop.
/// </summary>
public sealed class PrismExtruder
{
    private readonly List<double> _lon = [], _lat = [];
    private readonly List<int> _ringStart = [];
    private (double E, double N, double U)[] _base = new (double, double, double)[64];
    private (double E, double N, double U)[] _roof = new (double, double, double)[64];
    private readonly Dictionary<(double, double), int> _vertexAt = [];

    /// <summary>Appends the prism to <paramref name="mesh"/>; every vertex carries <paramref name="featureId"/>.</summary>
    /// <remarks>The footprint must have passed <see cref="ExtrudedFeature.Validate"/>.</remarks>
    public void Extrude(Geometry footprint, double baseHeight, double roofHeight, EnuFrame frame, MeshBuilder mesh, int featureId)
    {
        for (var i = 0; i < footprint.NumGeometries; i++)
            if (footprint.GetGeometryN(i) is Polygon { IsEmpty: false } polygon)
                ExtrudePolygon(polygon, baseHeight, roofHeight, frame, mesh, featureId);
    }

    private void ExtrudePolygon(Polygon polygon, double baseHeight, double roofHeight, EnuFrame frame, MeshBuilder mesh, int featureId)
    {
        CollectRings(polygon);
        var count = _lon.Count;
        if (_base.Length < count)
        {
            _base = new (double, double, double)[count * 2];
            _roof = new (double, double, double)[count * 2];
        }
        for (var k = 0; k < count; k++)
        {
            _base[k] = frame.FromGeodetic(_lon[k], _lat[k], baseHeight);
            _roof[k] = frame.FromGeodetic(_lon[k], _lat[k], roofHeight);
        }

        AddWalls(mesh, featureId);

        var up = NewellNormal(_roof, _ringStart[0], RingEnd(0));
        var down = NewellNormal(_base, _ringStart[0], RingEnd(0));
        down = (-down.E, -down.N, -down.U);
        var roof0 = AddVertices(mesh, _roof, count, up, featureId);
        var floor0 = AddVertices(mesh, _base, count, down, featureId);

        _vertexAt.Clear();
        for (var k = 0; k < count; k++) _vertexAt.TryAdd((_lon[k], _lat[k]), k);
        foreach (var tri in RoofTriangles(polygon))
        {
            var a = VertexOf(tri.GetCoordinate(0));
            var b = VertexOf(tri.GetCoordinate(1));
            var c = VertexOf(tri.GetCoordinate(2));
            // Longitude/latitude keep east-north handedness, so this orientation test holds in the ENU frame too.
            var turn = (_lon[b] - _lon[a]) * (_lat[c] - _lat[a]) - (_lat[b] - _lat[a]) * (_lon[c] - _lon[a]);
            if (turn == 0) continue;
            if (turn < 0) (b, c) = (c, b);
            mesh.AddTriangle(roof0 + a, roof0 + b, roof0 + c);    // counter-clockwise from above: faces up
            mesh.AddTriangle(floor0 + a, floor0 + c, floor0 + b); // clockwise from above: faces down
        }
    }

    /// <summary>
    /// NTS 2.5.0's ear clipping fails on some real footprints ("Unable to find a convex corner"; 3 of Monaco's 1,201
    /// buildings). Those get the Delaunay triangles of their ring vertices whose centres lie inside the footprint:
    /// exact where the footprint's edges are Delaunay edges; elsewhere the roof may miss or overhang a sliver, but the
    /// building stands, with its own walls, and is clickable.
    /// </summary>
    private static IList<NetTopologySuite.Triangulate.Tri.Tri> RoofTriangles(Polygon polygon)
    {
        try { return new PolygonTriangulator(polygon).GetTriangles(); }
        catch (InvalidOperationException)
        {
            var delaunay = new NetTopologySuite.Triangulate.DelaunayTriangulationBuilder();
            delaunay.SetSites(polygon);
            var inside = new NetTopologySuite.Algorithm.Locate.IndexedPointInAreaLocator(polygon);
            var kept = new List<NetTopologySuite.Triangulate.Tri.Tri>();
            var triangles = delaunay.GetTriangles(polygon.Factory);
            for (var i = 0; i < triangles.NumGeometries; i++)
            {
                var t = triangles.GetGeometryN(i).Coordinates;
                var centre = new Coordinate((t[0].X + t[1].X + t[2].X) / 3, (t[0].Y + t[1].Y + t[2].Y) / 3);
                if (inside.Locate(centre) == Location.Interior) kept.Add(new NetTopologySuite.Triangulate.Tri.Tri(t[0], t[1], t[2]));
            }
            if (kept.Count == 0) throw;
            return kept;
        }
    }

    /// <summary>Shell then holes, closing point and repeated points dropped, shell counter-clockwise and holes
    /// clockwise: then the outside of the solid is on the right of every ring edge.</summary>
    private void CollectRings(Polygon polygon)
    {
        _lon.Clear(); _lat.Clear(); _ringStart.Clear();
        AddRing(polygon.Shell, counterClockwise: true);
        foreach (var hole in polygon.Holes) AddRing(hole, counterClockwise: false);
    }

    private void AddRing(LineString ring, bool counterClockwise)
    {
        var start = _lon.Count;
        _ringStart.Add(start);
        var seq = ring.CoordinateSequence;
        for (var i = 0; i < seq.Count - 1; i++)
        {
            var (x, y) = (seq.GetX(i), seq.GetY(i));
            if (_lon.Count > start && _lon[^1] == x && _lat[^1] == y) continue;
            _lon.Add(x); _lat.Add(y);
        }
        while (_lon.Count - start > 1 && _lon[^1] == _lon[start] && _lat[^1] == _lat[start])
        {
            _lon.RemoveAt(_lon.Count - 1); _lat.RemoveAt(_lat.Count - 1);
        }
        var twiceArea = 0.0;
        for (int i = start, n = _lon.Count; i < n; i++)
        {
            var j = i + 1 < n ? i + 1 : start;
            twiceArea += _lon[i] * _lat[j] - _lon[j] * _lat[i];
        }
        if (twiceArea > 0 != counterClockwise)
        {
            _lon.Reverse(start, _lon.Count - start);
            _lat.Reverse(start, _lat.Count - start);
        }
    }

    private int RingEnd(int ring) => ring + 1 < _ringStart.Count ? _ringStart[ring + 1] : _lon.Count;

    private void AddWalls(MeshBuilder mesh, int featureId)
    {
        for (var r = 0; r < _ringStart.Count; r++)
        {
            int start = _ringStart[r], end = RingEnd(r);
            for (var a = start; a < end; a++)
            {
                var b = a + 1 < end ? a + 1 : start;
                var (ab, ar, br, bb) = (_base[a], _roof[a], _roof[b], _base[b]);
                var n = Normalize(Cross(Sub(bb, ab), Sub(ar, ab)));
                var v = Vertex(mesh, ab, n, featureId);
                Vertex(mesh, bb, n, featureId);
                Vertex(mesh, br, n, featureId);
                Vertex(mesh, ar, n, featureId);
                mesh.AddTriangle(v, v + 1, v + 2);
                mesh.AddTriangle(v, v + 2, v + 3);
            }
        }
    }

    private static int AddVertices(MeshBuilder mesh, (double E, double N, double U)[] points, int count, (double E, double N, double U) normal, int featureId)
    {
        var first = mesh.VertexCount;
        for (var k = 0; k < count; k++) Vertex(mesh, points[k], normal, featureId);
        return first;
    }

    private static int Vertex(MeshBuilder mesh, (double E, double N, double U) p, (double E, double N, double U) n, int featureId) =>
        mesh.AddVertex((float)p.E, (float)p.U, (float)-p.N, (float)n.E, (float)n.U, (float)-n.N, featureId: featureId);

    private int VertexOf(Coordinate c) =>
        _vertexAt.TryGetValue((c.X, c.Y), out var k) ? k
        : throw new InvalidOperationException($"the triangulation returned a vertex ({c.X} {c.Y}) that is not on the footprint");

    /// <summary>The area-weighted normal of a ring (Newell's method): robust for rings with collinear runs.</summary>
    private static (double E, double N, double U) NewellNormal((double E, double N, double U)[] p, int start, int end)
    {
        double x = 0, y = 0, z = 0;
        for (var i = start; i < end; i++)
        {
            var j = i + 1 < end ? i + 1 : start;
            x += (p[i].N - p[j].N) * (p[i].U + p[j].U);
            y += (p[i].U - p[j].U) * (p[i].E + p[j].E);
            z += (p[i].E - p[j].E) * (p[i].N + p[j].N);
        }
        return Normalize((x, y, z));
    }

    private static (double E, double N, double U) Sub((double E, double N, double U) a, (double E, double N, double U) b) =>
        (a.E - b.E, a.N - b.N, a.U - b.U);

    private static (double E, double N, double U) Cross((double E, double N, double U) a, (double E, double N, double U) b) =>
        (a.N * b.U - a.U * b.N, a.U * b.E - a.E * b.U, a.E * b.N - a.N * b.E);

    private static (double E, double N, double U) Normalize((double E, double N, double U) v)
    {
        var length = Math.Sqrt(v.E * v.E + v.N * v.N + v.U * v.U);
        return length > 0 ? (v.E / length, v.N / length, v.U / length) : (0, 0, 1);
    }
}
