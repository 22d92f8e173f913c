using GeoTwin.Server.Coverage.Visibility;
using NetTopologySuite.Geometries;

namespace GeoTwin.Server.Tests.Coverage;

/// <summary>
/// The visibility engine against independent references written here: dense ray casting (0.1° steps) for the area,
/// and a 3D sight-line test for single ground points.
/// </summary>
public sealed class ViewshedTests
{
    static readonly GeometryFactory F = new();

    /// <summary>A random scene about the origin: rotated rectangles and concave stars, 2-30 m high.</summary>
    internal static List<Obstacle> RandomScene(Random random, int count, double spread)
    {
        var list = new List<Obstacle>();
        while (list.Count < count)
        {
            double cx = (random.NextDouble() * 2 - 1) * spread, cy = (random.NextDouble() * 2 - 1) * spread;
            if (Math.Sqrt(cx * cx + cy * cy) < 12) continue;
            Polygon footprint;
            if (random.Next(2) == 0)
            {
                double w = 4 + random.NextDouble() * 20, h = 4 + random.NextDouble() * 20, a = random.NextDouble() * Math.PI;
                var corners = new[] { (-w, -h), (w, -h), (w, h), (-w, h), (-w, -h) }
                    .Select(p => new Coordinate(cx + p.Item1 / 2 * Math.Cos(a) - p.Item2 / 2 * Math.Sin(a), cy + p.Item1 / 2 * Math.Sin(a) + p.Item2 / 2 * Math.Cos(a)))
                    .ToArray();
                footprint = F.CreatePolygon(corners);
            }
            else
            {
                var n = 5 + random.Next(6);
                var ring = new Coordinate[n + 1];
                for (var i = 0; i < n; i++)
                {
                    var r = (i % 2 == 0 ? 10 : 4) + random.NextDouble() * 4;
                    var a = i * 2 * Math.PI / n;
                    ring[i] = new Coordinate(cx + r * Math.Cos(a), cy + r * Math.Sin(a));
                }
                ring[n] = ring[0].Copy();
                footprint = F.CreatePolygon(ring);
            }
            list.Add(new Obstacle(footprint, 2 + random.NextDouble() * 28));
        }
        return list;
    }

    /// <summary>The reference: rays every 0.1° (at the middle of each step), each cut by every footprint edge.</summary>
    internal static double RayCastArea(CameraView camera, IReadOnlyList<Obstacle> obstacles, double stepDeg = 0.1)
    {
        var (start, width) = Viewshed.Wedge(camera);
        var step = stepDeg * Math.PI / 180;
        var rays = (int)Math.Round(width / step);
        var dt = width / rays;
        var area = 0.0;
        var hits = new List<double>();
        var shade = new List<(double From, double To)>();
        var origin = F.CreatePoint(new Coordinate(camera.X, camera.Y));
        var kept = obstacles.Where(o => !o.Footprint.Covers(origin)).ToList();
        for (var i = 0; i < rays; i++)
        {
            var t = start + (i + 0.5) * dt;
            double dx = Math.Cos(t), dy = Math.Sin(t);
            shade.Clear();
            foreach (var o in kept)
            {
                hits.Clear();
                foreach (var ring in Rings(o.Footprint))
                    for (var j = 0; j + 1 < ring.Length; j++)
                    {
                        double ax = ring[j].X - camera.X, ay = ring[j].Y - camera.Y, bx = ring[j + 1].X - camera.X, by = ring[j + 1].Y - camera.Y;
                        // ray (dx,dy)·s = a + (b - a)·u, 0 ≤ u < 1, s > 0
                        double ex = bx - ax, ey = by - ay, den = dx * ey - dy * ex;
                        if (den == 0) continue;
                        var s = (ax * ey - ay * ex) / den;
                        var u = (ax * dy - ay * dx) / den;
                        if (s > 0 && u >= 0 && u < 1) hits.Add(s);
                    }
                hits.Sort();
                for (var j = 0; j + 1 < hits.Count; j += 2)
                    shade.Add(o.HeightM >= camera.MountHeightM
                        ? (hits[j], double.PositiveInfinity)
                        : (hits[j], hits[j + 1] * camera.MountHeightM / (camera.MountHeightM - o.HeightM)));
            }
            shade.Sort();
            var seen = 0.0;
            var at = 0.0;
            foreach (var (from, to) in shade)
            {
                if (from >= camera.RangeM) break;
                if (from > at) seen += from * from - at * at;
                at = Math.Max(at, to);
                if (at >= camera.RangeM) break;
            }
            if (at < camera.RangeM) seen += camera.RangeM * camera.RangeM - at * at;
            area += seen / 2 * dt;
        }
        return area;
    }

    static IEnumerable<Coordinate[]> Rings(Geometry g)
    {
        for (var i = 0; i < g.NumGeometries; i++)
            if (g.GetGeometryN(i) is Polygon p)
            {
                yield return p.ExteriorRing.Coordinates;
                foreach (var h in p.InteriorRings) yield return h.Coordinates;
            }
    }

    /// <summary>Is the ground at p seen? Independently: the 3D sight line from the lens to p against every prism.</summary>
    static bool SeesPoint(CameraView camera, IReadOnlyList<Obstacle> obstacles, Coordinate p)
    {
        double dx = p.X - camera.X, dy = p.Y - camera.Y, d = Math.Sqrt(dx * dx + dy * dy);
        if (d > camera.RangeM) return false;
        var origin = F.CreatePoint(new Coordinate(camera.X, camera.Y));
        var sight = F.CreateLineString([new Coordinate(camera.X, camera.Y), p]);
        foreach (var o in obstacles)
        {
            if (o.Footprint.Covers(origin)) continue;
            var inside = o.Footprint.Intersection(sight);
            if (inside.IsEmpty) continue;
            // the farthest point of the footprint along the sight line: there the line is lowest
            var far = inside.Coordinates.Max(c => Math.Sqrt((c.X - camera.X) * (c.X - camera.X) + (c.Y - camera.Y) * (c.Y - camera.Y)));
            if (o.HeightM > camera.MountHeightM * (1 - far / d) - 1e-9) return false;
        }
        return true;
    }

    static bool InWedge(CameraView camera, Coordinate p)
    {
        if (camera.FullCircle) return true;
        var (start, width) = Viewshed.Wedge(camera);
        var a = Math.Atan2(p.Y - camera.Y, p.X - camera.X) - start;
        a %= 2 * Math.PI;
        if (a < 0) a += 2 * Math.PI;
        return a <= width;
    }

    static CameraView RandomCamera(Random random, bool fullCircle) => new(
        random.NextDouble() * 4 - 2, random.NextDouble() * 4 - 2, 3 + random.NextDouble() * 12, random.NextDouble() * 360,
        30 + random.NextDouble() * 150, 60 + random.NextDouble() * 140, fullCircle);

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    [InlineData(5, true)]
    [InlineData(6, false)]
    public void Area_matches_dense_ray_casting_within_one_percent_on_random_scenes(int seed, bool fullCircle)
    {
        var random = new Random(seed);
        var scene = RandomScene(random, 40, 150);
        var camera = RandomCamera(random, fullCircle);
        var polygon = Viewshed.Compute(camera, scene, F);
        Assert.True(polygon.IsValid);
        var reference = RayCastArea(camera, scene);
        Assert.True(reference > 0);
        Assert.InRange(polygon.Area / reference, 0.99, 1.01);
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(12, true)]
    [InlineData(14, false)]
    public void Ground_points_are_in_the_polygon_exactly_when_the_sight_line_clears_every_building(int seed, bool fullCircle)
    {
        var random = new Random(seed);
        var scene = RandomScene(random, 80, 120);
        var camera = RandomCamera(random, fullCircle) with { RangeM = 150 };
        var polygon = Viewshed.Compute(camera, scene, F);
        var boundary = polygon.Boundary;
        var (start, width) = Viewshed.Wedge(camera);
        int seen = 0, hidden = 0;
        for (var i = 0; i < 3000; i++)
        {
            double a = start + random.NextDouble() * width, r = Math.Sqrt(random.NextDouble()) * camera.RangeM;
            var p = new Coordinate(camera.X + r * Math.Cos(a), camera.Y + r * Math.Sin(a));
            var point = F.CreatePoint(p);
            if (boundary.Distance(point) < 0.05) continue; // on an edge either answer is right
            if (!InWedge(camera, p) || Math.Sqrt((p.X - camera.X) * (p.X - camera.X) + (p.Y - camera.Y) * (p.Y - camera.Y)) > camera.RangeM * 0.9998) continue;
            var expected = SeesPoint(camera, scene, p);
            Assert.True(expected == polygon.Covers(point), $"point ({p.X:F3}, {p.Y:F3}): sight line says {(expected ? "seen" : "hidden")}");
            if (expected) seen++; else hidden++;
        }
        Assert.True(seen > 50 && hidden > 50, $"{seen} seen, {hidden} hidden: the scene tests little");
    }

    [Fact]
    public void Never_enters_a_building_and_sees_nothing_behind_one_taller_than_the_lens()
    {
        var random = new Random(21);
        var scene = RandomScene(random, 60, 150);
        var camera = RandomCamera(random, true) with { MountHeightM = 6 };
        var polygon = Viewshed.Compute(camera, scene, F);
        foreach (var o in scene)
            Assert.True(polygon.Intersection(o.Footprint).Area < 1e-6, "the visibility polygon enters a footprint");

        // A wall 10 m high across the view: the strip behind it, to the range, is hidden.
        var wall = F.CreatePolygon([new(20, -30), new(22, -30), new(22, 30), new(20, 30), new(20, -30)]);
        var view = new CameraView(0, 0, 6, 90, 90, 100, false); // looking east
        var seenPart = Viewshed.Compute(view, [new Obstacle(wall, 10)], F);
        var behind = F.CreatePolygon([new(22, -5), new(99, -5), new(99, 5), new(22, 5), new(22, -5)]);
        Assert.True(seenPart.Intersection(behind).Area < 1e-9);
        Assert.True(seenPart.Covers(F.CreatePoint(new Coordinate(19, 0))));
    }

    [Fact]
    public void A_building_lower_than_the_lens_hides_the_ground_behind_it_only_until_the_sight_line_clears_its_roof()
    {
        // Lens at 6 m, a 3 m wall from x = 20 to 22: the line to the ground clears its far edge from 22·6/3 = 44 m.
        var wall = F.CreatePolygon([new(20, -30), new(22, -30), new(22, 30), new(20, 30), new(20, -30)]);
        var view = new CameraView(0, 0, 6, 90, 60, 100, false);
        var polygon = Viewshed.Compute(view, [new Obstacle(wall, 3)], F);
        Assert.False(polygon.Covers(F.CreatePoint(new Coordinate(43.9, 0))));
        Assert.True(polygon.Covers(F.CreatePoint(new Coordinate(44.1, 0))));
        Assert.True(polygon.Covers(F.CreatePoint(new Coordinate(19.9, 0))));
        Assert.False(polygon.Covers(F.CreatePoint(new Coordinate(21, 0))));
    }

    [Theory]
    [InlineData(0, 90, 80)]
    [InlineData(135, 45, 120)]
    [InlineData(350, 170, 60)]
    public void The_wedge_and_range_are_respected(double heading, double fov, double range)
    {
        var random = new Random((int)heading + 7);
        var scene = RandomScene(random, 30, 120);
        var camera = new CameraView(1, -1, 8, heading, fov, range, false);
        var polygon = Viewshed.Compute(camera, scene, F);
        var (start, width) = Viewshed.Wedge(camera);
        foreach (var c in polygon.Coordinates)
        {
            double dx = c.X - camera.X, dy = c.Y - camera.Y, d = Math.Sqrt(dx * dx + dy * dy);
            Assert.True(d <= range + 1e-6, $"vertex at {d} m, range {range} m");
            if (d < 1e-6) continue;
            var a = (Math.Atan2(dy, dx) - start) % (2 * Math.PI);
            if (a < 0) a += 2 * Math.PI;
            Assert.True(a <= width + 1e-9 || a >= 2 * Math.PI - 1e-9, $"vertex at {a * 180 / Math.PI}° of a {fov}° wedge");
        }

        // With nothing in the way: the wedge itself, range chords 1° apart.
        var empty = Viewshed.Compute(camera, [], F);
        var steps = fov / Viewshed.ArcStepDegrees;
        var whole = Math.Floor(steps);
        var expected = range * range / 2 * (whole * Math.Sin(Viewshed.ArcStepDegrees * Math.PI / 180)
                                            + Math.Sin((steps - whole) * Viewshed.ArcStepDegrees * Math.PI / 180));
        Assert.Equal(expected, empty.Area, 6);
        Assert.True(polygon.Area < empty.Area);
    }

    [Fact]
    public void A_ptz_camera_sees_all_round_and_ignores_the_building_it_is_mounted_on()
    {
        var own = F.CreatePolygon([new(-5, -5), new(5, -5), new(5, 5), new(-5, 5), new(-5, -5)]);
        var camera = new CameraView(0, 0, 12, 0, 60, 50, FullCircle: true);
        var polygon = Viewshed.Compute(camera, [new Obstacle(own, 10)], F);
        Assert.Equal(Math.PI * 50 * 50, polygon.Area, 0.001 * Math.PI * 50 * 50);
        Assert.True(CameraView.IsFullCircle("ptz", 90, 60));
        Assert.True(CameraView.IsFullCircle("dome", null, 60));
        Assert.False(CameraView.IsFullCircle("fixed", 90, 60));
    }
}
