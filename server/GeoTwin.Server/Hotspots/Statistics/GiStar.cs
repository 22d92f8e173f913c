namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>Gi* of every feature: z, two-sided p, BH q, Esri's Gi_Bin and the neighbour count (cell included).</summary>
public sealed class GiStarResult
{
    public required double[] Z { get; init; }
    public required double[] P { get; init; }
    /// <summary>Benjamini-Hochberg adjusted p-values over all features.</summary>
    public required double[] Q { get; init; }
    /// <summary>−3..+3 as Esri's Gi_Bin: FDR-corrected (from Q) unless the call asked for raw p.</summary>
    public required sbyte[] Bin { get; init; }
    public required int[] Neighbours { get; init; }
    public required double Band { get; init; }
    public required bool FdrCorrected { get; init; }
}

/// <summary>
/// Getis-Ord Gi* with binary weights within a fixed distance band, the feature itself included (a neighbour at
/// exactly the band distance counts), as Esri's Hot Spot Analysis, PySAL esda <c>G_Local(star=True)</c> and
/// R spdep <c>localG</c> on <c>include.self(dnearneigh(...))</c>:
/// <code>
///   z_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((n W_i − W_i²)/(n − 1)))
///   x̄ = Σx/n,  S = √(Σx²/n − x̄²),  W_i = Σ_j w_ij (binary: the neighbour count, self included)
/// </code>
/// p is two-sided under the normal distribution. A feature whose band covers every feature has no variance
/// to test (denominator 0): z = 0, p = 1.
/// </summary>
public static class GiStar
{
    public static GiStarResult Compute(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, ReadOnlySpan<double> values, double band,
        bool fdr = true, PointGrid? grid = null)
    {
        var n = xs.Length;
        if (ys.Length != n || values.Length != n) throw new ArgumentException("xs, ys and values differ in length");
        if (!(band > 0) || double.IsInfinity(band))
            throw new HotspotInputException("distanceBand", $"the distance band must be a positive number of metres, not {band}", band);
        if (n < 3) throw new HotspotInputException("points", $"Gi* needs at least 3 features, got {n}", n, 3);
        var (mean, s) = MeanAndDeviation(values);
        if (!(s > 0)) throw new HotspotInputException("values", "all values are equal: Gi* has no variance to test", n);

        grid ??= new PointGrid(xs, ys, band);
        var z = new double[n];
        var p = new double[n];
        var neighbours = new int[n];
        var sum = new SumVisitor { Values = values.ToArray() };
        for (var i = 0; i < n; i++)
        {
            sum.Sum = 0;
            sum.Count = 0;
            grid.ForEachWithin(xs[i], ys[i], band, ref sum);
            neighbours[i] = sum.Count;
            z[i] = Z(sum.Sum, sum.Count, n, mean, s);
            p[i] = Normal.TwoSidedP(z[i]);
        }
        return Finish(z, p, neighbours, band, fdr);
    }

    /// <summary>The z-score of one feature from its local sum over W neighbours (self included).</summary>
    public static double Z(double localSum, double w, long n, double mean, double s)
    {
        var variance = (n * w - w * w) / (n - 1);
        if (!(variance > 0)) return 0;
        return (localSum - mean * w) / (s * Math.Sqrt(variance));
    }

    public static (double Mean, double Deviation) MeanAndDeviation(ReadOnlySpan<double> values)
    {
        // Two passes: the one-pass Σx²/n − x̄² cancels badly when counts are large and alike.
        double sum = 0;
        foreach (var v in values) sum += v;
        var mean = sum / values.Length;
        double ss = 0;
        foreach (var v in values) ss += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(ss / values.Length));
    }

    internal static GiStarResult Finish(double[] z, double[] p, int[] neighbours, double band, bool fdr)
    {
        var q = Fdr.BenjaminiHochberg(p);
        var bin = new sbyte[z.Length];
        for (var i = 0; i < z.Length; i++) bin[i] = Fdr.ConfidenceBin(z[i], fdr ? q[i] : p[i]);
        return new GiStarResult { Z = z, P = p, Q = q, Bin = bin, Neighbours = neighbours, Band = band, FdrCorrected = fdr };
    }

    struct SumVisitor : IPointVisitor
    {
        public double[] Values;
        public double Sum;
        public int Count;
        public void Visit(int index, double d2) { Sum += Values[index]; Count++; }
    }
}
