namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>
/// Benjamini-Hochberg false discovery rate, as R's <c>p.adjust(method = "BH")</c>: q₍ᵢ₎ = min over j ≥ i of
/// p₍ⱼ₎·n/j (ranks ascending), capped at 1. A test is significant at level α under BH exactly when q ≤ α,
/// which is how Esri's FDR-corrected Gi_Bin is read (the largest rank k with p₍ₖ₎ ≤ k·α/n and all below it).
/// </summary>
public static class Fdr
{
    public static double[] BenjaminiHochberg(ReadOnlySpan<double> p)
    {
        var n = p.Length;
        var q = new double[n];
        if (n == 0) return q;
        var keys = p.ToArray();
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            if (double.IsNaN(keys[i])) keys[i] = double.PositiveInfinity; // untestable: last, q = 1
        }
        Array.Sort(keys, order);
        var min = 1.0;
        for (var r = n - 1; r >= 0; r--)
        {
            var v = keys[r] * n / (r + 1);
            if (v < min) min = v;
            q[order[r]] = min;
        }
        return q;
    }

    /// <summary>
    /// Esri's Gi_Bin: ±3 at 99 % confidence, ±2 at 95 %, ±1 at 90 %, 0 otherwise, the sign of z. Pass the
    /// BH q-values for the FDR-corrected bins (Esri's default in Optimized Hot Spot Analysis) or raw p-values.
    /// </summary>
    public static sbyte ConfidenceBin(double z, double pOrQ)
    {
        if (double.IsNaN(z) || double.IsNaN(pOrQ) || z == 0) return 0;
        sbyte level = pOrQ <= 0.01 ? (sbyte)3 : pOrQ <= 0.05 ? (sbyte)2 : pOrQ <= 0.10 ? (sbyte)1 : (sbyte)0;
        return z > 0 ? level : (sbyte)-level;
    }
}
