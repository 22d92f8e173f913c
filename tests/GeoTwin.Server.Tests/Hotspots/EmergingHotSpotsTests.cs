using GeoTwin.Server.Hotspots.Statistics;
using P = GeoTwin.Server.Hotspots.Statistics.EmergingPattern;

namespace GeoTwin.Server.Tests.Hotspots;

public sealed class EmergingHotSpotsTests
{
    // Constructed series of 20 steps: H hot, C cold, . neither. 90 % of 20 is 18.
    static sbyte[] Series(string s) => s.Select(c => c switch { 'H' => (sbyte)1, 'C' => (sbyte)-1, _ => (sbyte)0 }).ToArray();

    [Theory]
    [InlineData("...................H", 0, P.NewHot)]
    [InlineData("................HHHH", 0, P.ConsecutiveHot)]
    [InlineData("..HHHHHHHHHHHHHHHHHH", 1, P.IntensifyingHot)]
    [InlineData("HH.HHHHHHHHHHHHHHHHH", 0, P.PersistentHot)]
    [InlineData("HHHHHHHHHHHHHHHHH.HH", -1, P.DiminishingHot)]
    [InlineData("..H...HH.....H....HH", 0, P.SporadicHot)]
    [InlineData("CC.....HH.......H..H", 0, P.OscillatingHot)]
    [InlineData("HHHHHHHHHHHHHHHHHHH.", 0, P.HistoricalHot)]
    [InlineData("...................C", 0, P.NewCold)]
    [InlineData("..............CCCCCC", 0, P.ConsecutiveCold)]
    [InlineData("CCCCCCCCCCCCCCCCCCCC", -1, P.IntensifyingCold)]
    [InlineData("CCCCCCCCC.CCCCCCCCCC", 0, P.PersistentCold)]
    [InlineData(".CCCCCCCCCCCCCCCCCCC", 1, P.DiminishingCold)]
    [InlineData("C....C..CC.........C", 0, P.SporadicCold)]
    [InlineData("..H.........CC.....C", 0, P.OscillatingCold)]
    [InlineData("CCCCCCCCCCCCCCCCCC..", 0, P.HistoricalCold)]
    [InlineData("....................", 0, P.NoPattern)]
    [InlineData("..HHH...HH..........", 0, P.NoPattern)]
    public void Each_pattern_follows_Esris_definition(string series, int trend, P expected)
    {
        Assert.Equal(expected, EmergingHotSpots.Classify(Series(series), trend));
    }

    [Fact]
    public void Ninety_percent_is_the_boundary_between_persistent_and_sporadic()
    {
        Assert.Equal(P.PersistentHot, EmergingHotSpots.Classify(Series("H.H.HHHHHHHHHHHHHHHH"), 0)); // 18 of 20
        Assert.Equal(P.SporadicHot, EmergingHotSpots.Classify(Series("H.H.H.HHHHHHHHHHHHHH"), 0));   // 17 of 20
        Assert.Equal(P.DiminishingHot, EmergingHotSpots.Classify(Series("HHHHHHHHHHHHHHHHHHHH"), -1)); // the trend decides among the 90 % patterns
    }

    [Fact]
    public void A_growing_cluster_in_a_cube_is_an_intensifying_hot_spot_and_the_quiet_corner_is_not_hot()
    {
        // 12 × 12 cells 100 m apart, 24 steps; a 3 × 3 block in the middle grows from 6 to 52 incidents,
        // elsewhere 0 or 1 alternating so the cube has variance everywhere.
        const int side = 12, steps = 24;
        var xs = new double[side * side];
        var ys = new double[side * side];
        var values = new double[side * side * steps];
        for (var c = 0; c < side * side; c++)
        {
            int col = c % side, row = c / side;
            xs[c] = col * 100;
            ys[c] = row * 100;
            var hot = col is >= 5 and <= 7 && row is >= 5 and <= 7;
            for (var t = 0; t < steps; t++) values[c * steps + t] = hot ? 6 + 2 * t : (c + t) % 2;
        }
        var result = EmergingHotSpots.Analyse(xs, ys, values, steps, new EmergingOptions { DistanceBand = 150, TimeSteps = 1 });
        var centre = 6 * side + 6;
        Assert.Equal(P.IntensifyingHot, result.Pattern[centre]);
        Assert.True(result.ZTrend[centre].Z > 0);
        Assert.True(result.CountTrend[centre].P < 1e-6);
        Assert.DoesNotContain(result.State.AsSpan(0, steps).ToArray(), s => s > 0); // corner cell 0 never hot
    }

    [Fact]
    public void Too_few_steps_are_refused_naming_steps()
    {
        var e = Assert.Throws<HotspotInputException>(() =>
            EmergingHotSpots.Analyse([0, 1, 2], [0, 0, 0], new double[3 * 5], 5, new EmergingOptions { DistanceBand = 1 }));
        Assert.Equal("steps", e.Parameter);
        Assert.Equal(5, e.Actual);
        Assert.Equal(10, e.Limit);
    }
}

public sealed class MannKendallTests
{
    [Fact]
    public void Matches_a_hand_computed_series_with_ties()
    {
        // x = 1, 2, 2, 3, 5: pairs with a later larger value: 1→4, 2→2, 2→2, 3→1 = 9; ties 1 (the 2s); S = 9.
        // Var = [5·4·15 − 2·1·9]/18 = (300 − 18)/18 = 15.6667; z = (9 − 1)/√15.6667 = 2.02116.
        var t = MannKendall.Test([1, 2, 2, 3, 5]);
        Assert.Equal(9, t.S);
        Assert.Equal(282.0 / 18, t.Variance, 1e-12);
        Assert.Equal(8 / Math.Sqrt(282.0 / 18), t.Z, 1e-12);
        Assert.Equal(Normal.TwoSidedP(t.Z), t.P, 1e-15);
        Assert.Equal(0.9, t.Tau, 1e-12);
    }

    [Fact]
    public void A_flat_series_has_no_trend()
    {
        var t = MannKendall.Test([4, 4, 4, 4, 4]);
        Assert.Equal(0, t.Direction(0.05));
        Assert.Equal(1, t.P);
    }
}
