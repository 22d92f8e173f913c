using GeoTwin.Server.Hotspots.Statistics;

namespace GeoTwin.Server.Tests.Hotspots;

public sealed class HexBinsTests
{
    [Fact]
    public void Flat_top_hexagons_have_adjacent_centres_one_size_apart_and_hold_their_points()
    {
        var bins = HexBins.Bin([0, 1, 99, 49], [0, 0, 0, 86.6], [], 100, 1000);
        Assert.Equal(3, bins.Cells); // (0,0) and (1,0) share a cell; (99,0) and (49,86.6) are neighbours
        Assert.Equal(2, bins.Count[bins.CellOfPoint[0]]);
        foreach (var c in new[] { bins.CellOfPoint[2], bins.CellOfPoint[3] })
            Assert.Equal(100, Math.Sqrt(bins.X[c] * bins.X[c] + bins.Y[c] * bins.Y[c]), 1e-9);
        var v = bins.Vertices(bins.CellOfPoint[0]);
        Assert.Equal(100 / Math.Sqrt(3), v[0].X, 1e-9); // a vertex on the right: flat top
        Assert.Equal(0, v[0].Y, 1e-9);
    }

    [Fact]
    public void More_cells_than_the_maximum_are_refused_with_the_count()
    {
        var xs = Enumerable.Range(0, 50).Select(i => i * 10.0).ToArray();
        var e = Assert.Throws<HotspotInputException>(() => HexBins.Bin(xs, new double[50], [], 5, 40));
        Assert.Equal("cellSize", e.Parameter);
        Assert.Equal(50, e.Actual);
        Assert.Equal(40, e.Limit);
        Assert.Contains("50 cells", e.Message);
    }
}

public sealed class OptimizedHotSpotsTests
{
    /// <summary>A regular lattice of incidents 20 m apart with one dense patch: a known pattern.</summary>
    static (double[] X, double[] Y) Pattern()
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < 40; i++)
        for (var j = 0; j < 40; j++)
        {
            xs.Add(i * 20);
            ys.Add(j * 20);
            if (i is >= 18 and < 24 && j is >= 18 and < 24)
                for (var k = 1; k <= 6; k++) { xs.Add(i * 20 + k); ys.Add(j * 20 + 2 * k % 7); }
        }
        return (xs.ToArray(), ys.ToArray());
    }

    [Fact]
    public void Automatic_cell_size_and_band_on_a_known_pattern_find_the_dense_patch()
    {
        var (xs, ys) = Pattern();
        var result = OptimizedHotSpots.Analyse(xs, ys, [], new HotSpotOptions());
        var p = result.Parameters;
        Assert.Equal(Chosen.NearestNeighbourRule, p.CellSize.How);
        // Nearest non-coincident neighbours: the lattice's 20 m and the patch's ~2.2 m; their mean, doubled.
        Assert.InRange(p.CellSize.Value, 4, 40);
        Assert.NotEqual(Chosen.Given, p.DistanceBand.How);
        Assert.False(string.IsNullOrWhiteSpace(p.DistanceBand.Why));
        Assert.True(p.FdrCorrected);
        // The cell holding the patch's centre is a 99 % hot spot; a lattice corner is not hot.
        var centre = HexBins.CellAt(21 * 20, 21 * 20, p.CellSize.Value);
        var c = Enumerable.Range(0, result.Cells.Cells).First(k => result.Cells.Q[k] == centre.Q && result.Cells.R[k] == centre.R);
        Assert.Equal(3, result.Gi.Bin[c]);
        var corner = result.Cells.CellOfPoint[0];
        Assert.True(result.Gi.Bin[corner] <= 0);
    }

    [Fact]
    public void Given_values_are_used_and_said_to_be_given()
    {
        var (xs, ys) = Pattern();
        var result = OptimizedHotSpots.Analyse(xs, ys, [], new HotSpotOptions { CellSize = 50, DistanceBand = 120 });
        Assert.Equal(new Choice(50, Chosen.Given, "given"), result.Parameters.CellSize);
        Assert.Equal(120, result.Gi.Band);
    }

    [Fact]
    public void Fewer_than_30_points_are_refused_with_count_and_minimum()
    {
        var e = Assert.Throws<HotspotInputException>(() =>
            OptimizedHotSpots.Analyse(new double[29], new double[29], [], new HotSpotOptions()));
        Assert.Equal("points", e.Parameter);
        Assert.Equal(29, e.Actual);
        Assert.Equal(30, e.Limit);
        Assert.Contains("29", e.Message);
        Assert.Contains("30", e.Message);
    }

    [Fact]
    public void Incremental_moran_finds_positive_autocorrelation_in_a_gradient()
    {
        var xs = new List<double>();
        var ys = new List<double>();
        var v = new List<double>();
        for (var i = 0; i < 20; i++)
        for (var j = 0; j < 20; j++) { xs.Add(i); ys.Add(j); v.Add(i + (i * 7 + j * 3) % 5); }
        var steps = ScaleOfAnalysis.IncrementalMoran(xs.ToArray(), ys.ToArray(), v.ToArray(), 1, 1);
        Assert.Equal(ScaleOfAnalysis.Bands, steps.Count);
        Assert.All(steps, s => Assert.True(s.I > 0 && s.Z > 3));
        Assert.Equal(3.8, steps[0].MeanNeighbours, 1e-12); // rook neighbours at distance 1: 4 inside, 3 on edges, 2 in corners
    }
}

public sealed class KernelDensityTests
{
    [Fact]
    public void Quartic_kernel_integrates_to_the_weight_and_peaks_at_3_over_pi_h2()
    {
        var kd = new KernelDensity([0], [0], [2], bandwidth: 10);
        // 1 m pixels over [-12, 12]²: the sum ≈ ∫ f = weight 2.
        var grid = kd.Evaluate(-12, -12, 1, 1, 25, 25);
        Assert.Equal(2, grid.Sum(), 0.02);
        Assert.Equal(2 * 3 / (Math.PI * 100), grid[12 * 25 + 12], 1e-12);
        Assert.Equal(0, grid[0]); // (−12, −12) is beyond h
    }

    [Fact]
    public void Rows_may_run_north_to_south_and_far_points_add_nothing()
    {
        var kd = new KernelDensity([0, 10_000], [0, 0], bandwidth: 10);
        var down = kd.Evaluate(-5, 5, 1, -1, 11, 11);
        var up = kd.Evaluate(-5, -5, 1, 1, 11, 11);
        Assert.Equal(up[0], down[10 * 11], 1e-15);         // (−5, −5) is the last row going down
        Assert.Equal(3 / (Math.PI * 100), down[5 * 11 + 5], 1e-12);
    }

    [Fact]
    public void Default_bandwidth_is_esris_rule()
    {
        double[] xs = [0, 100, 0, 100, 50];
        double[] ys = [0, 0, 100, 100, 50];
        var choice = KernelDensity.DefaultBandwidth(xs, ys, []);
        var sd = Math.Sqrt((4 * 5000.0) / 5);                   // 4 corners 70.7 m from the centre
        var median = Math.Sqrt(5000.0);
        var expected = 0.9 * Math.Min(sd, Math.Sqrt(1 / Math.Log(2)) * median) * Math.Pow(5, -0.2);
        Assert.Equal(expected, choice.Value, 1e-9);
        Assert.Equal(Chosen.SilvermanRule, choice.How);
    }
}

public sealed class LocalProjectionTests
{
    [Fact]
    public void Metres_are_true_near_the_centre_and_the_inverse_returns()
    {
        var proj = new LocalProjection(-87.7, 41.85);
        var (x, y) = proj.Forward([-87.7, -87.6], [41.85, 41.85]);
        Assert.Equal(0, x[0], 1e-6);
        // 0.1° of longitude at 41.85° on WGS 84: about 8,300 m (the geodesic is 8,302.6 m).
        Assert.InRange(x[1] - x[0], 8295, 8310);
        var (lon, lat) = proj.Inverse(x, y);
        Assert.Equal(-87.6, lon[1], 1e-9);
        Assert.Equal(41.85, lat[1], 1e-9);
    }
}
