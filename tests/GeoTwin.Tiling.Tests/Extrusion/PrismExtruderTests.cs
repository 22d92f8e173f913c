using GeoTwin.Tiling.Extrusion;
using GeoTwin.Tiling.Geodesy;
using GeoTwin.Tiling.Gltf;
using NetTopologySuite.Geometries;

namespace GeoTwin.Tiling.Tests.Extrusion;

public sealed class PrismExtruderTests
{
    private const double Lon = 113.37, Lat = 22.49;

    private static MeshBuilder Extrude(Geometry footprint, double baseHeight, double roofHeight, EnuFrame? frame = null)
    {
        var mesh = new MeshBuilder(featureIds: true);
        new PrismExtruder().Extrude(footprint, baseHeight, roofHeight, frame ?? new EnuFrame(Lon, Lat, baseHeight), mesh, featureId: 7);
        return mesh;
    }

    public static TheoryData<string, double, double> Shapes => new()
    {
        // name, footprint area m², perimeter m (walls included: hole walls count)
        { "rectangle", 12 * 8, 2 * (12 + 8) },
        { "courtyard", 20 * 14 - 6 * 4, 2 * (20 + 14) + 2 * (6 + 4) },
        { "L-shape", 12 * 5 + 5 * 10, 12 + 5 + 7 + 10 + 5 + 15 },
        { "two parts", 2 * 10 * 10, 2 * 40 },
    };

    private static Geometry Shape(string name) => name switch
    {
        "rectangle" => Footprints.Rectangle(Lon, Lat, 12, 8),
        "courtyard" => Footprints.Courtyard(Lon, Lat),
        "L-shape" => Footprints.LShape(Lon, Lat),
        _ => Footprints.Factory.CreateMultiPolygon([Footprints.Rectangle(Lon, Lat, 10, 10), Footprints.Rectangle(Lon + 0.001, Lat, 10, 10)]),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_prism_is_closed_with_every_edge_shared_by_two_triangles_wound_opposite(string shape, double area, double perimeter)
    {
        _ = (area, perimeter);
        var mesh = Extrude(Shape(shape), 4, 13);
        var solid = Solid.Weld(mesh);
        Assert.Empty(solid.OpenOrInconsistentEdges());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Surface_area_and_volume_match_the_footprint_and_height(string shape, double area, double perimeter)
    {
        const double height = 9;
        var solid = Solid.Weld(Extrude(Shape(shape), 100, 100 + height));
        Assert.Equal(area * height, solid.Volume(), area * height * 1e-4);
        Assert.Equal(2 * area + perimeter * height, solid.SurfaceArea(), (2 * area + perimeter * height) * 1e-4);
    }

    /// <summary>A real Monaco building with a courtyard (OSM, in the demo) on which NTS 2.5.0's ear clipping failed with
    /// "Unable to find a convex corner" (2.6.0 triangulates it); whichever path the extruder takes, ear clipping or the
    /// Delaunay fallback, it stands with the footprint's volume.</summary>
    private const string EarClippingFails = "POLYGON ((7.4233874 43.7315217, 7.4234504 43.731532400000006, 7.4234545 43.731524900000004, 7.423510200000001 43.7315346, 7.4235432 43.7314638, 7.4235948 43.731475700000004, 7.423560900000001 43.7315734, 7.423396800000001 43.7315495, 7.423377200000001 43.7315495, 7.423359700000001 43.7315592, 7.4233535 43.731574800000004, 7.423352400000001 43.731589, 7.423364800000001 43.7316002, 7.4233586 43.731621000000004, 7.423451300000001 43.731638700000005, 7.423441400000001 43.7316681, 7.4234476 43.7316781, 7.4235205 43.731690900000004, 7.423512700000001 43.731715900000005, 7.423820200000001 43.7317776, 7.423866 43.731661300000006, 7.423891800000001 43.731667200000004, 7.4239341 43.7315532, 7.4239062 43.7315458, 7.4239486 43.7314329, 7.423495300000001 43.731344500000006, 7.4233874 43.7315217), (7.4236395 43.7316348, 7.4236914 43.7314924, 7.4237785 43.731509, 7.4237266 43.7316513, 7.4236395 43.7316348))";

    [Fact]
    public void A_footprint_ear_clipping_cannot_triangulate_still_stands_with_the_footprint_volume()
    {
        var footprint = new NetTopologySuite.IO.WKTReader().Read(EarClippingFails);
        var c = footprint.Centroid;
        var solid = Solid.Weld(Extrude(footprint, 0, 10, new EnuFrame(c.X, c.Y, 0)));
        var (perLon, perLat) = Wgs84.MetresPerDegree(c.Y);
        var area = footprint.Area * perLon * perLat;
        Assert.Equal(area * 10, solid.Volume(), area * 10 * 0.02);
    }

    [Fact]
    public void Normals_are_the_faces_own_and_point_outwards()
    {
        var mesh = Extrude(Footprints.Courtyard(Lon, Lat), 0, 6);
        var p = mesh.Positions;
        var n = mesh.Normals;
        var idx = mesh.Indices;
        for (var t = 0; t < idx.Length; t += 3)
        {
            var (a, b, c) = ((int)idx[t], (int)idx[t + 1], (int)idx[t + 2]);
            var face = Solid.Normalize(Solid.Cross(Solid.Sub(p, b, a), Solid.Sub(p, c, a)));
            foreach (var v in (int[])[a, b, c])
                Assert.True(face.X * n[3 * v] + face.Y * n[3 * v + 1] + face.Z * n[3 * v + 2] > 0.999, $"vertex {v} of triangle {t / 3}");
        }
    }

    [Fact]
    public void Content_is_y_up_east_is_x_and_north_is_minus_z()
    {
        var mesh = Extrude(Footprints.Rectangle(Lon, Lat, 10, 20), 0, 5);
        var p = mesh.Positions;
        var (maxX, maxY, minZ) = (float.MinValue, float.MinValue, float.MaxValue);
        for (var i = 0; i < p.Length; i += 3) (maxX, maxY, minZ) = (Math.Max(maxX, p[i]), Math.Max(maxY, p[i + 1]), Math.Min(minZ, p[i + 2]));
        Assert.Equal(10, maxX, 0.01);   // 10 m east
        Assert.Equal(5, maxY, 0.01);    // 5 m up
        Assert.Equal(-20, minZ, 0.01);  // 20 m north
        Assert.All(mesh.FeatureIds.ToArray(), id => Assert.Equal(7, id));
    }

    [Fact]
    public void A_vertex_through_the_tile_transform_lands_on_its_ecef_point()
    {
        // The tile frame is 800 m away from the house: placement must not rely on the house being at the origin.
        var frame = new EnuFrame(113.36, 22.485, 0);
        var corner = (Lon: 113.371, Lat: 22.4905, Height: 25.0);
        var house = Footprints.Factory.CreatePolygon([
            new(corner.Lon, corner.Lat), new(corner.Lon + 0.0001, corner.Lat), new(corner.Lon + 0.0001, corner.Lat + 0.0001), new(corner.Lon, corner.Lat)]);
        var mesh = Extrude(house, 10, corner.Height, frame);

        // cs2cs +proj=longlat +datum=WGS84 +to +proj=geocent +datum=WGS84 +units=m: 113.371 22.4905 25
        var expected = (-2338823.6202, 5412216.5906, 2424694.5857);
        var nearest = Enumerable.Range(0, mesh.VertexCount)
            .Select(v => Solid.ToEcef(mesh.Positions.Slice(3 * v, 3), frame.ToEcefMatrix()))
            .MinBy(e => Solid.Distance(e, expected));
        Assert.True(Solid.Distance(nearest, expected) < 0.02, $"{nearest} is {Solid.Distance(nearest, expected):F3} m from {expected}");
    }
}

/// <summary>Mesh checks done on positions alone: the flat-shaded copies of a corner are welded back into one vertex.</summary>
internal sealed class Solid
{
    private readonly List<(double X, double Y, double Z)> _points = [];
    private readonly List<(int A, int B, int C)> _triangles = [];

    public static Solid Weld(MeshBuilder mesh)
    {
        var solid = new Solid();
        var ids = new Dictionary<(float, float, float), int>();
        var p = mesh.Positions;
        var map = new int[mesh.VertexCount];
        for (var v = 0; v < mesh.VertexCount; v++)
        {
            var key = (p[3 * v], p[3 * v + 1], p[3 * v + 2]);
            if (!ids.TryGetValue(key, out map[v]))
            {
                map[v] = ids[key] = solid._points.Count;
                solid._points.Add(key);
            }
        }
        var idx = mesh.Indices;
        for (var t = 0; t < idx.Length; t += 3) solid._triangles.Add((map[idx[t]], map[idx[t + 1]], map[idx[t + 2]]));
        return solid;
    }

    /// <summary>Closed and consistently wound: each directed edge once, and its reverse once.</summary>
    public List<string> OpenOrInconsistentEdges()
    {
        var directed = new Dictionary<(int, int), int>();
        foreach (var (a, b, c) in _triangles)
            foreach (var e in ((int, int)[])[(a, b), (b, c), (c, a)])
                directed[e] = directed.GetValueOrDefault(e) + 1;
        return directed.Where(d => d.Value != 1 || directed.GetValueOrDefault((d.Key.Item2, d.Key.Item1)) != 1)
            .Select(d => $"{d.Key}: {d.Value} times, reverse {directed.GetValueOrDefault((d.Key.Item2, d.Key.Item1))} times").ToList();
    }

    /// <summary>Signed volume by the divergence theorem: positive when the normals point out.</summary>
    public double Volume() => _triangles.Sum(t => Dot(_points[t.A], Cross(_points[t.B], _points[t.C]))) / 6;

    public double SurfaceArea() => _triangles.Sum(t => Length(Cross(Sub(_points[t.B], _points[t.A]), Sub(_points[t.C], _points[t.A])))) / 2;

    public static (double X, double Y, double Z) Sub(ReadOnlySpan<float> p, int a, int b) =>
        (p[3 * a] - p[3 * b], p[3 * a + 1] - p[3 * b + 1], p[3 * a + 2] - p[3 * b + 2]);
    public static (double X, double Y, double Z) Sub((double X, double Y, double Z) a, (double X, double Y, double Z) b) => (a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static (double X, double Y, double Z) Cross((double X, double Y, double Z) a, (double X, double Y, double Z) b) =>
        (a.Y * b.Z - a.Z * b.Y, a.Z * b.X - a.X * b.Z, a.X * b.Y - a.Y * b.X);
    public static double Dot((double X, double Y, double Z) a, (double X, double Y, double Z) b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z;
    public static double Length((double X, double Y, double Z) a) => Math.Sqrt(Dot(a, a));
    public static (double X, double Y, double Z) Normalize((double X, double Y, double Z) a) => (a.X / Length(a), a.Y / Length(a), a.Z / Length(a));
    public static double Distance((double X, double Y, double Z) a, (double X, double Y, double Z) b) => Length(Sub(a, b));

    /// <summary>What a 3D Tiles runtime does to a glTF vertex: y-up to z-up, then the (column-major) tile transform.</summary>
    public static (double X, double Y, double Z) ToEcef(ReadOnlySpan<float> gltf, double[] m) => ColumnMajor.GltfToWorld(m, gltf[0], gltf[1], gltf[2]);
}
