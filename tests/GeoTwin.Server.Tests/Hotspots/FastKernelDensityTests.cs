using System.Diagnostics;
using GeoTwin.Server.Hotspots.Statistics;
using Xunit.Abstractions;

namespace GeoTwin.Server.Tests.Hotspots;

public sealed class FastKernelDensityTests(ITestOutputHelper output)
{
    /// <summary>A city-like pattern in metres: tight clusters (σ 150-600 m) over a thin even background, deterministic.</summary>
    internal static (double[] X, double[] Y) City(int n, int seed = 7)
    {
        var random = new Random(seed);
        var xs = new double[n];
        var ys = new double[n];
        (double X, double Y, double Sigma)[] clusters = [(2000, 3000, 150), (-4000, 1000, 400), (500, -5000, 600), (6000, 6000, 250), (-1500, -1500, 300)];
        for (var i = 0; i < n; i++)
        {
            if (i % 4 == 0)
            {
                xs[i] = random.NextDouble() * 24_000 - 12_000;
                ys[i] = random.NextDouble() * 24_000 - 12_000;
                continue;
            }
            var c = clusters[i % clusters.Length];
            // Box-Muller
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble(), r = Math.Sqrt(-2 * Math.Log(u1));
            xs[i] = c.X + c.Sigma * r * Math.Cos(2 * Math.PI * u2);
            ys[i] = c.Y + c.Sigma * r * Math.Sin(2 * Math.PI * u2);
        }
        return (xs, ys);
    }

    /// <summary>Web Mercator pixel sizes (m) of z12..z16 scaled by cos 41.85° (Chicago): true metres per pixel.</summary>
    public static TheoryData<int> Zooms => new() { 12, 13, 14, 15, 16 };

    static double PixelAt(int zoom) => 2 * Math.PI * 6378137 / (256 << zoom) * Math.Cos(41.85 * Math.PI / 180);

    [Theory]
    [MemberData(nameof(Zooms))]
    public void The_binned_tile_is_within_one_percent_of_the_exact_one(int zoom)
    {
        var (xs, ys) = City(20_000);
        var kd = new KernelDensity(xs, ys, bandwidth: 900);
        var pixel = PixelAt(zoom);
        // A tile over the tightest cluster's edge (steepest gradients), rows north to south, aligned to a global pixel index.
        long col = (long)Math.Floor(1700 / pixel), row = (long)Math.Floor(-3300 / pixel);
        double x0 = col * pixel + pixel / 2, y0 = -(row * pixel + pixel / 2);
        var exact = kd.Evaluate(x0, y0, pixel, -pixel, 256, 256);
        var fast = kd.EvaluateFast(x0, y0, pixel, -pixel, 256, 256, alignCol: col, alignRow: row);

        var max = exact.Max();
        var worst = exact.Zip(fast, (e, f) => Math.Abs(e - f)).Max();
        output.WriteLine($"z{zoom}: pixel {pixel:0.00} m, max {max * 1e6:0.#}/km², worst error {worst / max:P3} of it");
        Assert.True(max > 0);
        Assert.True(worst <= 0.01 * max, $"worst error {worst / max:P3} of the tile's maximum");
    }

    [Fact]
    public void Neighbouring_tiles_share_their_lattice_so_they_meet_without_a_seam()
    {
        var (xs, ys) = City(5_000);
        var kd = new KernelDensity(xs, ys, bandwidth: 900);
        var pixel = PixelAt(15);
        long col = (long)Math.Floor(1700 / pixel);
        // One 512-px-wide evaluation and the same span as two 256-px tiles must agree exactly.
        var wide = kd.EvaluateFast(col * pixel, 3000, pixel, -pixel, 512, 1, alignCol: col);
        var left = kd.EvaluateFast(col * pixel, 3000, pixel, -pixel, 256, 1, alignCol: col);
        var right = kd.EvaluateFast((col + 256) * pixel, 3000, pixel, -pixel, 256, 1, alignCol: col + 256);
        for (var c = 0; c < 256; c++)
        {
            Assert.Equal(wide[c], left[c], 1e-12 * wide.Max());
            Assert.Equal(wide[256 + c], right[c], 1e-12 * wide.Max());
        }
    }

    [Fact]
    public void Far_from_every_point_the_fast_density_is_exactly_zero()
    {
        var kd = new KernelDensity([0, 10], [0, 5], bandwidth: 900);
        var far = kd.EvaluateFast(5000, 5000, 2, -2, 256, 256);
        Assert.All(far, v => Assert.Equal(0, v));
        var near = kd.EvaluateFast(-256, 256, 2, -2, 256, 256);
        Assert.True(near.Max() > 0);
    }

    [Fact]
    public void The_density_at_a_place_is_the_exact_kernel_sum()
    {
        var kd = new KernelDensity([0, 300, 2000], [0, 400, 0], bandwidth: 900);
        var expected = 3 / (Math.PI * 900 * 900) * (1 + Math.Pow(1 - 250_000.0 / 810_000, 2));
        Assert.Equal(expected, kd.At(0, 0), 1e-15);
    }

}
