using GeoTwin.Server.Hotspots.Statistics;

namespace GeoTwin.Server.Tests.Hotspots;

public sealed class GiStarTests
{
    // PySAL esda's published test of G_Local(star=True) with a distance band of 15 (binary weights).
    static readonly double[] EsdaX = [10, 20, 40, 15, 30, 30];
    static readonly double[] EsdaY = [10, 10, 10, 20, 20, 30];
    static readonly double[] EsdaValues = [2, 3, 3.2, 5, 8, 7];

    [Fact]
    public void Reproduces_esda_G_Local_star_to_1e8()
    {
        double[] expected = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331];
        var gi = GiStar.Compute(EsdaX, EsdaY, EsdaValues, 15);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], gi.Z[i], 1e-8);
        // Self included; (15,20)–(30,20) are exactly 15 apart and count each other.
        Assert.Equal([3, 4, 2, 4, 5, 2], gi.Neighbours);
    }

    [Fact]
    public void P_values_are_two_sided_normal_and_bins_follow_confidence()
    {
        var gi = GiStar.Compute(EsdaX, EsdaY, EsdaValues, 15, fdr: false);
        Assert.Equal(2 * (1 - 0.97852), gi.P[5], 1e-4); // z = 2.024 → Φ = 0.97852
        Assert.Equal(2, gi.Bin[5]); // p ≈ 0.043 < 0.05 without FDR
        Assert.Equal(0, gi.Bin[0]);
    }

    [Fact]
    public void A_neighbour_at_exactly_the_band_counts_and_just_beyond_does_not()
    {
        var gi = GiStar.Compute(EsdaX, EsdaY, EsdaValues, 15 - 1e-6);
        Assert.Equal(3, gi.Neighbours[3]); // (15,20) loses (30,20)
    }

    [Fact]
    public void Equal_values_are_refused_naming_values()
    {
        var e = Assert.Throws<HotspotInputException>(() => GiStar.Compute(EsdaX, EsdaY, [1, 1, 1, 1, 1, 1], 15));
        Assert.Equal("values", e.Parameter);
    }
}

public sealed class NormalTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.4795001221869534623)]
    [InlineData(1.0, 0.1572992070502851307)]
    [InlineData(2.0, 0.004677734981047265838)]
    [InlineData(3.0, 2.209049699858544137e-05)]
    [InlineData(5.0, 1.537459794428034850e-12)]
    [InlineData(-1.0, 1.842700792949714869)]
    public void Erfc_matches_reference_values_relatively(double x, double expected)
    {
        Assert.Equal(1.0, Normal.Erfc(x) / expected, 1e-13);
    }

    [Theory]
    [InlineData(1.959963984540054, 0.05)]
    [InlineData(5.0, 5.733031437583878e-07)]
    [InlineData(8.0, 1.244192114854357e-15)]
    [InlineData(-8.0, 1.244192114854357e-15)]
    public void Two_sided_p_is_right_far_into_the_tail(double z, double expected)
    {
        Assert.Equal(1.0, Normal.TwoSidedP(z) / expected, 1e-12);
    }
}

public sealed class FdrTests
{
    [Fact]
    public void Benjamini_Hochberg_matches_a_hand_computed_example()
    {
        // p sorted: 0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205 (n = 8), given out of order.
        double[] p = [0.041, 0.001, 0.205, 0.039, 0.060, 0.008, 0.074, 0.042];
        // p·n/rank: 0.008, 0.032, 0.104, 0.082, 0.0672, 0.08, 0.08457…, 0.205; then the running minimum from the top:
        // rank 8: 0.205; 7: 0.0845714; 6: 0.08; 5: 0.0672; 4: 0.0672; 3: 0.0672; 2: 0.032; 1: 0.008.
        double[] expected = [0.0672, 0.008, 0.205, 0.0672, 0.08, 0.032, 0.074 * 8 / 7, 0.0672];
        var q = Fdr.BenjaminiHochberg(p);
        for (var i = 0; i < p.Length; i++) Assert.Equal(expected[i], q[i], 1e-12);

        // At 95 % only ranks 1-2 survive (0.0672 > 0.05); at 90 % ranks 1-7 (0.0846 ≤ 0.10 < 0.205).
        Assert.Equal(2, q.Count(v => v <= 0.05));
        Assert.Equal(7, q.Count(v => v <= 0.10));
        Assert.Equal(1, q.Count(v => v <= 0.01));
    }

    [Fact]
    public void Gi_bin_takes_the_sign_of_z_and_the_confidence_of_q()
    {
        Assert.Equal(3, Fdr.ConfidenceBin(4, 0.001));
        Assert.Equal(-2, Fdr.ConfidenceBin(-2.5, 0.03));
        Assert.Equal(1, Fdr.ConfidenceBin(1.8, 0.07));
        Assert.Equal(0, Fdr.ConfidenceBin(1.0, 0.3));
    }
}
