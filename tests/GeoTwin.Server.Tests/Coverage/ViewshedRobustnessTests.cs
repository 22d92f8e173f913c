using GeoTwin.Server.Coverage.Visibility;
using NetTopologySuite.Geometries;

namespace GeoTwin.Server.Tests.Coverage;

/// <summary>
/// Footprints as real data has them — overlapping, touching, the same house twice, repeated vertices — never make a
/// camera fail: before the sweep built strips and merged them in one snap-rounded pass, the union of its pieces threw
/// NTS "side location conflict" on such scenes (4 in 100 of the bench's agreement scenes, replayed here).
/// </summary>
public sealed class ViewshedRobustnessTests
{
    static readonly GeometryFactory F = new();

    static Polygon Box(double x0, double y0, double x1, double y1) =>
        F.CreatePolygon([new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1), new(x0, y0)]);

    static void AssertAgrees(CameraView camera, IReadOnlyList<Obstacle> scene)
    {
        var polygon = Viewshed.Compute(camera, scene, F);
        Assert.True(polygon.IsValid);
        var reference = ViewshedTests.RayCastArea(camera, scene);
        Assert.True(reference > 0);
        Assert.InRange(polygon.Area / reference, 0.99, 1.01);
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(8, false)]
    [InlineData(8, true)]
    [InlineData(20, true)]
    public void Overlapping_touching_duplicate_and_repeated_vertex_footprints_compute_and_match_ray_casting(double lens, bool fullCircle)
    {
        var a = Box(20, -10, 30, 10);
        var scene = new List<Obstacle>
        {
            new(a, 6),
            new(Box(25, -5, 40, 15), 12),                  // overlaps a
            new(Box(30, -10, 36, -4), 3),                  // touches a along x = 30
            new(a.Copy(), 6),                              // a twice
            new(Box(20, 10, 30, 18), 30),                  // shares a's north edge exactly
            new(F.CreatePolygon([new(-30, -10), new(-20, -10), new(-20, -10), new(-20, 0), new(-20, 0), new(-30, 0), new(-30, -10)]), 4), // repeated vertices
            new(F.CreatePolygon([new(-25, 5), new(-15, 5), new(-20, 12), new(-25, 5)]), 9),
            new(F.CreatePolygon([new(-20, 0), new(-10, 0), new(-15, 5), new(-20, 0)]), 7), // touches the one above at a vertex, the box at an edge end
            new(Box(0, 25, 40, 27), 2),                    // a low wall over the tops of three others
            new(Box(0, 20, 10, 30), 15),                   // overlapped by the wall
        };
        AssertAgrees(new CameraView(0, 0, lens, 60, 150, 80, fullCircle), scene);
    }

    /// <summary>The bench's agreement scenes that threw (seed 18, scenes 11, 33, 59 and 81), drawn the way the bench draws them.</summary>
    [Fact]
    public void The_bench_scenes_that_threw_compute_and_match_ray_casting()
    {
        var random = new Random(18);
        for (var i = 0; i <= 81; i++)
        {
            var scene = BenchScene(random);
            var camera = new CameraView(random.NextDouble() * 4 - 2, random.NextDouble() * 4 - 2, 3 + random.NextDouble() * 12,
                random.NextDouble() * 360, 30 + random.NextDouble() * 150, 60 + random.NextDouble() * 140, i % 3 == 0);
            if (i is 11 or 33 or 59 or 81) AssertAgrees(camera, scene);
        }
    }

    // tests/GeoTwin.Coverage.Bench's Scene(random, 40, 150, 0, 0): 40 rotated rectangles, free to overlap
    static List<Obstacle> BenchScene(Random random)
    {
        var list = new List<Obstacle>();
        while (list.Count < 40)
        {
            double cx = (random.NextDouble() * 2 - 1) * 150, cy = (random.NextDouble() * 2 - 1) * 150;
            if (Math.Sqrt(cx * cx + cy * cy) < 12) continue;
            double w = 4 + random.NextDouble() * 20, h = 4 + random.NextDouble() * 20, a = random.NextDouble() * Math.PI;
            var ring = new[] { (-w, -h), (w, -h), (w, h), (-w, h), (-w, -h) }
                .Select(q => new Coordinate(cx + q.Item1 / 2 * Math.Cos(a) - q.Item2 / 2 * Math.Sin(a), cy + q.Item1 / 2 * Math.Sin(a) + q.Item2 / 2 * Math.Cos(a)))
                .ToArray();
            list.Add(new Obstacle(F.CreatePolygon(ring), 2 + random.NextDouble() * 28));
        }
        return list;
    }
}
