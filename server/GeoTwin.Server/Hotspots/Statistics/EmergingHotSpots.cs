using System.Numerics;

namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>Esri's Emerging Hot Spot Analysis patterns (the codes the tiles and exports carry).</summary>
public enum EmergingPattern : byte
{
    NoPattern = 0,
    NewHot, ConsecutiveHot, IntensifyingHot, PersistentHot, DiminishingHot, SporadicHot, OscillatingHot, HistoricalHot,
    NewCold, ConsecutiveCold, IntensifyingCold, PersistentCold, DiminishingCold, SporadicCold, OscillatingCold, HistoricalCold,
}

public sealed record EmergingOptions
{
    /// <summary>Spatial neighbourhood: cells within this many metres (self included).</summary>
    public required double DistanceBand { get; init; }
    /// <summary>Esri's neighbourhood time step: a bin's neighbourhood spans its own step and this many before it.</summary>
    public int TimeSteps { get; init; } = 1;
    /// <summary>A bin is a hot (cold) spot when significant at this level; FDR-corrected over the whole cube by default.</summary>
    public double Alpha { get; init; } = 0.05;
    public bool FdrCorrection { get; init; } = true;
    /// <summary>Level of the Mann-Kendall trend that makes a spot intensifying or diminishing.</summary>
    public double TrendAlpha { get; init; } = 0.05;
}

public sealed class EmergingResult
{
    public required int Cells { get; init; }
    public required int Steps { get; init; }
    /// <summary>Per bin, cell-major (bin = cell × Steps + step).</summary>
    public required double[] Z { get; init; }
    public required double[] P { get; init; }
    /// <summary>+1 hot, −1 cold, 0 neither, per bin, at the options' level.</summary>
    public required sbyte[] State { get; init; }
    public required EmergingPattern[] Pattern { get; init; }
    /// <summary>Mann-Kendall of each cell's Gi* z-scores (what the patterns read) and of its counts (what the analyst sees).</summary>
    public required Trend[] ZTrend { get; init; }
    public required Trend[] CountTrend { get; init; }
    public required EmergingOptions Options { get; init; }
}

/// <summary>
/// Emerging Hot Spot Analysis on a space-time cube of cells × steps: Gi* of every bin over its space-time
/// neighbourhood (cells within the band, over its own step and the <see cref="EmergingOptions.TimeSteps"/>
/// before it; binary weights; mean and deviation over the whole cube, Esri's "entire cube" global window),
/// a Mann-Kendall trend of each cell's z-scores, and Esri's pattern of each cell (<see cref="Classify"/>).
/// </summary>
public static class EmergingHotSpots
{
    /// <param name="values">Cell-major counts: values[cell × steps + step].</param>
    public static EmergingResult Analyse(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, ReadOnlySpan<double> values, int steps, EmergingOptions options)
    {
        var cells = xs.Length;
        if (steps < 10)
            throw new HotspotInputException("steps", $"{steps} time steps are too few for a trend: at least 10 are needed", steps, 10);
        if (values.Length != cells * steps) throw new ArgumentException("values must hold cells × steps counts");
        if (cells < 3) throw new HotspotInputException("points", $"the cube has {cells} cells: at least 3 are needed", cells, 3);
        if (options.TimeSteps < 0 || options.TimeSteps >= steps)
            throw new HotspotInputException("timeSteps", $"the neighbourhood time step must be 0..{steps - 1}, not {options.TimeSteps}", options.TimeSteps);
        var (mean, s) = GiStar.MeanAndDeviation(values);
        if (!(s > 0)) throw new HotspotInputException("values", "every bin of the cube holds the same count: Gi* has no variance to test");

        var neighbours = NeighbourLists.Build(xs, ys, options.DistanceBand, includeSelf: true);
        long total = (long)cells * steps;
        var z = new double[total];
        var p = new double[total];
        var spatial = new double[steps];
        var window = options.TimeSteps;
        for (var c = 0; c < cells; c++)
        {
            // Σ over neighbouring cells of their whole series, one vector add per neighbour.
            Array.Clear(spatial);
            foreach (var j in neighbours.Of(c)) Add(spatial, values.Slice(j * steps, steps));
            var k = neighbours.Start[c + 1] - neighbours.Start[c];
            double running = 0;
            for (var t = 0; t < steps; t++)
            {
                running += spatial[t];
                if (t > window) running -= spatial[t - window - 1];
                var span = Math.Min(t, window) + 1;
                var bin = c * steps + t;
                z[bin] = GiStar.Z(running, (double)k * span, total, mean, s);
                p[bin] = Normal.TwoSidedP(z[bin]);
            }
        }
        var test = options.FdrCorrection ? Fdr.BenjaminiHochberg(p) : p;
        var state = new sbyte[total];
        for (long b = 0; b < total; b++) state[b] = test[b] <= options.Alpha ? (sbyte)Math.Sign(z[b]) : (sbyte)0;

        var pattern = new EmergingPattern[cells];
        var zTrend = new Trend[cells];
        var countTrend = new Trend[cells];
        for (var c = 0; c < cells; c++)
        {
            zTrend[c] = MannKendall.Test(z.AsSpan(c * steps, steps));
            countTrend[c] = MannKendall.Test(values.Slice(c * steps, steps));
            pattern[c] = Classify(state.AsSpan(c * steps, steps), zTrend[c].Direction(options.TrendAlpha));
        }
        return new EmergingResult
        {
            Cells = cells, Steps = steps, Z = z, P = p, State = state, Pattern = pattern, ZTrend = zTrend, CountTrend = countTrend, Options = options,
        };
    }

    static void Add(Span<double> into, ReadOnlySpan<double> row)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= row.Length - Vector<double>.Count; i += Vector<double>.Count)
                (new Vector<double>(into[i..]) + new Vector<double>(row[i..])).CopyTo(into[i..]);
        for (; i < row.Length; i++) into[i] += row[i];
    }

    /// <summary>
    /// Esri's pattern definitions (ArcGIS Pro, "How Emerging Hot Spot Analysis works"), for hot spots; cold spots
    /// mirror them with hot and cold swapped and the trend reversed. n steps; "hot" = a significant hot bin.
    /// <list type="bullet">
    /// <item>New: hot at the final step and never hot before.</item>
    /// <item>Consecutive: one uninterrupted run of at least two hot bins ending at the final step, never hot
    /// before the run, and less than 90 % of all bins hot.</item>
    /// <item>Intensifying: hot in at least 90 % of the steps, the final one included, and the clustering
    /// intensity (Gi* z) rises with a significant Mann-Kendall trend.</item>
    /// <item>Persistent: hot in at least 90 % of the steps with no significant trend.</item>
    /// <item>Diminishing: hot in at least 90 % of the steps, the final one included, with a significantly
    /// falling trend.</item>
    /// <item>Sporadic: hot at the final step, on and off hot before, less than 90 % hot, never cold.</item>
    /// <item>Oscillating: hot at the final step, cold at some earlier step, less than 90 % hot.</item>
    /// <item>Historical: not hot at the final step, but hot in at least 90 % of the steps.</item>
    /// <item>No pattern: none of these.</item>
    /// </list>
    /// Where two definitions fit one series the published text leaves the order open; GeoTwin decides thus:
    /// the final step's own kind is tried first (a cell cold at the end is judged among the cold patterns,
    /// so a 90 %-hot cell that ends cold is oscillating cold, not historical hot); within it the 90 % patterns
    /// come first; then a cell with an earlier bin of the other kind is oscillating (the definition that names
    /// that history) before new, consecutive or sporadic, which therefore describe cells never of the other kind.
    /// </summary>
    /// <param name="state">Per step: +1 hot, −1 cold, 0 neither.</param>
    /// <param name="trend">The significant direction of the Gi* z trend: +1, −1 or 0.</param>
    public static EmergingPattern Classify(ReadOnlySpan<sbyte> state, int trend)
    {
        var n = state.Length;
        if (n == 0) return EmergingPattern.NoPattern;
        int hot = 0, cold = 0;
        foreach (var v in state)
        {
            if (v > 0) hot++;
            else if (v < 0) cold++;
        }
        var last = state[n - 1];
        if (last != 0) return Family(state, last, last > 0 ? hot : cold, last > 0 ? cold : hot, trend);
        if (hot * 10 >= 9 * n) return EmergingPattern.HistoricalHot;
        if (cold * 10 >= 9 * n) return EmergingPattern.HistoricalCold;
        return EmergingPattern.NoPattern;
    }

    static EmergingPattern Family(ReadOnlySpan<sbyte> state, sbyte kind, int own, int other, int trend)
    {
        var hotKind = kind > 0;
        if (own * 10 >= 9 * state.Length)
        {
            if (trend == kind) return hotKind ? EmergingPattern.IntensifyingHot : EmergingPattern.IntensifyingCold;
            if (trend == -kind) return hotKind ? EmergingPattern.DiminishingHot : EmergingPattern.DiminishingCold;
            return hotKind ? EmergingPattern.PersistentHot : EmergingPattern.PersistentCold;
        }
        if (other > 0) return hotKind ? EmergingPattern.OscillatingHot : EmergingPattern.OscillatingCold;
        var run = 0;
        for (var t = state.Length - 1; t >= 0 && state[t] == kind; t--) run++;
        if (own == run)
            return run == 1
                ? hotKind ? EmergingPattern.NewHot : EmergingPattern.NewCold
                : hotKind ? EmergingPattern.ConsecutiveHot : EmergingPattern.ConsecutiveCold;
        return hotKind ? EmergingPattern.SporadicHot : EmergingPattern.SporadicCold;
    }
}
