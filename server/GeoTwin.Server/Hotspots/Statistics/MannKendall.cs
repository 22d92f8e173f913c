namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>Mann-Kendall trend of one series: S, its variance (ties corrected), z (continuity corrected),
/// two-sided p and Kendall's tau-a = S / (n(n−1)/2).</summary>
public readonly record struct Trend(double S, double Variance, double Z, double P, double Tau)
{
    public static readonly Trend None = new(0, 0, 0, 1, 0);
    /// <summary>+1 rising, −1 falling, 0 when not significant at <paramref name="alpha"/>.</summary>
    public int Direction(double alpha) => P <= alpha ? Math.Sign(Z) : 0;
}

/// <summary>
/// The Mann-Kendall test as Esri's Emerging Hot Spot Analysis and R's Kendall::MannKendall use it:
/// S = Σ_{i&lt;j} sign(x_j − x_i); Var S = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)]/18 over groups of t tied values;
/// z = (S − sign S)/√Var S; p two-sided normal.
/// </summary>
public static class MannKendall
{
    public static Trend Test(ReadOnlySpan<double> series)
    {
        var n = series.Length;
        if (n < 3) return Trend.None;
        double s = 0;
        for (var i = 0; i < n - 1; i++)
        {
            var xi = series[i];
            for (var j = i + 1; j < n; j++) s += Math.Sign(series[j] - xi);
        }
        var sorted = series.ToArray();
        Array.Sort(sorted);
        double ties = 0;
        for (var i = 0; i < n;)
        {
            var j = i + 1;
            while (j < n && sorted[j] == sorted[i]) j++;
            double t = j - i;
            if (t > 1) ties += t * (t - 1) * (2 * t + 5);
            i = j;
        }
        var variance = (n * (n - 1.0) * (2 * n + 5) - ties) / 18;
        if (!(variance > 0)) return new Trend(s, 0, 0, 1, 0);
        var z = s == 0 ? 0 : (s - Math.Sign(s)) / Math.Sqrt(variance);
        return new Trend(s, variance, z, Normal.TwoSidedP(z), s / (n * (n - 1) / 2.0));
    }
}
