namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>How a value was chosen: "given" by the caller, or the rule that produced it.</summary>
public enum Chosen { Given, NearestNeighbourRule, FirstSignificantPeak, HighestPeak, NearestNeighbours, StandardDistance, MinimumOfExtent, SilvermanRule }

/// <summary>A chosen value with the rule and a sentence saying why (shown to the analyst and kept with the result), in
/// English (Why) and in Chinese (WhyZh), so the viewer says it in the page's language.</summary>
public sealed record Choice(double Value, Chosen How, string Why, string? WhyZh = null);

/// <summary>One distance of the incremental spatial autocorrelation.</summary>
public sealed record MoranStep(double Distance, double I, double Z, double P, double MeanNeighbours);

/// <summary>
/// The scale rules of Esri's Optimized Hot Spot Analysis, on points in metres.
/// <para><b>Cell size</b> (<see cref="CellSize"/>): the distance from every incident to its nearest
/// non-coincident incident; incidents farther than the mean plus three standard deviations of those distances
/// are locational outliers and left out; the cell size is twice the mean of the remaining distances (Esri's
/// published script scales the nearest-neighbour distance by nnScale = 2). For hexagons this is the flat-to-flat
/// size, i.e. the spacing of adjacent cell centres (Esri divides it by √3 for the side).</para>
/// <para><b>Distance band</b> (<see cref="DistanceBand"/>): incremental spatial autocorrelation — global
/// Moran's I of the cell values with binary weights (no self) at 10 increasing distances, starting at the
/// distance at which every non-outlier feature has a neighbour and growing by the mean nearest-neighbour
/// distance, stopping early once the features average more than 500 neighbours. A peak is a distance whose
/// z-score exceeds both its neighbours'; the first peak with p &lt; 0.05 is taken, else the highest peak. With
/// no peak the band is the mean distance to the k nearest neighbours, k = 5 % of the features clamped to 3..30,
/// but no more than the standard distance of the features. A band below 0.1 % of the extent's longer side is
/// raised to it.</para>
/// </summary>
public static class ScaleOfAnalysis
{
    public const int Bands = 10;
    public const double MaxMeanNeighbours = 500;
    public const double OutlierDeviations = 3;

    /// <summary>Distance from each point to its nearest point that is not at the same place (+∞ if none).</summary>
    public static double[] NearestDistinct(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, PointGrid? grid = null)
    {
        grid ??= new PointGrid(xs, ys, 0);
        var d = new double[xs.Length];
        Span<double> heap = stackalloc double[1];
        for (var i = 0; i < xs.Length; i++) d[i] = Math.Sqrt(grid.KthNearestSquared(i, xs[i], ys[i], 1, heap, ignoreWithin: 1e-9));
        return d;
    }

    /// <summary>Mean of the finite distances after dropping those above mean + 3σ, with the outlier count.</summary>
    public static (double Mean, double Max, int Outliers, int Used) WithoutOutliers(ReadOnlySpan<double> distances)
    {
        double sum = 0, sum2 = 0;
        var m = 0;
        foreach (var d in distances)
            if (double.IsFinite(d)) { sum += d; sum2 += d * d; m++; }
        if (m == 0) return (double.NaN, double.NaN, 0, 0);
        var mean = sum / m;
        var sd = Math.Sqrt(Math.Max(0, sum2 / m - mean * mean));
        var cut = mean + OutlierDeviations * sd;
        double kept = 0, max = 0;
        var used = 0;
        foreach (var d in distances)
            if (double.IsFinite(d) && d <= cut) { kept += d; used++; max = Math.Max(max, d); }
        return (kept / used, max, m - used, used);
    }

    public static Choice CellSize(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        var nn = NearestDistinct(xs, ys);
        var (mean, _, outliers, used) = WithoutOutliers(nn);
        if (used == 0 || !(mean > 0))
            throw new HotspotInputException("points", "all points are at the same place: no cell size can be derived from their spacing; give a cell size");
        return new Choice(2 * mean, Chosen.NearestNeighbourRule,
            $"twice the mean distance to the nearest other incident ({mean:0.#} m over {used} incidents; {outliers} locational outliers beyond mean + 3σ left out)",
            $"到最近另一起警情的平均距离的两倍（{used} 起警情平均 {mean:0.#} 米；超出均值 + 3σ 的 {outliers} 个位置离群点未计入）");
    }

    public static (Choice Band, IReadOnlyList<MoranStep> Steps) DistanceBand(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, ReadOnlySpan<double> values)
    {
        var n = xs.Length;
        var grid = new PointGrid(xs, ys, 0);
        var nn = NearestDistinct(xs, ys, grid);
        var (meanNn, maxNn, _, used) = WithoutOutliers(nn);
        var extent = Extent(xs, ys);
        var minimum = extent * 0.001;
        if (used == 0) throw new HotspotInputException("points", "all features are at the same place: no distance band can be derived");

        var steps = IncrementalMoran(xs, ys, values, maxNn, meanNn);
        var peaks = new List<int>();
        for (var k = 1; k < steps.Count - 1; k++)
            if (steps[k].Z > steps[k - 1].Z && steps[k].Z > steps[k + 1].Z) peaks.Add(k);
        Choice band;
        var significant = peaks.Where(k => steps[k].P < 0.05 && steps[k].Z > 0).ToList();
        if (significant.Count > 0)
        {
            var s = steps[significant[0]];
            band = new Choice(s.Distance, Chosen.FirstSignificantPeak,
                $"the first statistically significant peak of spatial autocorrelation (Moran's I z = {s.Z:0.00}, p {ChoiceText.PText(s.P)}) over {steps.Count} distances from {steps[0].Distance:0.#} m by {meanNn:0.#} m",
                $"空间自相关的第一个显著峰值（Moran's I z = {s.Z:0.00}，p {ChoiceText.PText(s.P)}），从 {steps[0].Distance:0.#} 米起每隔 {meanNn:0.#} 米共 {steps.Count} 个距离");
        }
        else if (peaks.Count > 0)
        {
            var k = peaks.MaxBy(k => steps[k].Z);
            band = new Choice(steps[k].Distance, Chosen.HighestPeak,
                $"no peak of spatial autocorrelation is significant; the highest peak (Moran's I z = {steps[k].Z:0.00}) over {steps.Count} distances from {steps[0].Distance:0.#} m",
                $"空间自相关没有显著峰值；取最高峰（Moran's I z = {steps[k].Z:0.00}），从 {steps[0].Distance:0.#} 米起共 {steps.Count} 个距离");
        }
        else
        {
            var k = Math.Clamp((int)(n * 0.05), 3, 30);
            k = Math.Min(k, n - 1);
            Span<double> heap = stackalloc double[k];
            double sum = 0;
            for (var i = 0; i < n; i++) sum += Math.Sqrt(grid.KthNearestSquared(i, xs[i], ys[i], k, heap));
            var knn = sum / n;
            var sd = StandardDistance(xs, ys);
            band = knn <= sd
                ? new Choice(knn, Chosen.NearestNeighbours, $"no peak of spatial autocorrelation over {steps.Count} distances; the mean distance to the {k} nearest neighbours (5 % of {n} features, clamped to 3..30)",
                    $"{steps.Count} 个距离上空间自相关没有峰值；取到最近 {k} 个邻居的平均距离（{n} 个要素的 5%，限定在 3 到 30 之间）")
                : new Choice(sd, Chosen.StandardDistance, $"no peak of spatial autocorrelation; the mean distance to the {k} nearest neighbours ({knn:0.#} m) exceeds the standard distance of the features, which is used instead",
                    $"空间自相关没有峰值；到最近 {k} 个邻居的平均距离（{knn:0.#} 米）超过要素的标准距离，改用标准距离");
        }
        if (band.Value < minimum)
            band = new Choice(minimum, Chosen.MinimumOfExtent, $"{band.Why}; raised to 0.1 % of the extent ({extent:0.#} m)",
                $"{band.WhyZh}；提高到范围的 0.1%（{extent:0.#} 米）");
        return (band, steps);
    }

    /// <summary>Global Moran's I (randomisation z, as Esri) at up to <see cref="Bands"/> distances.</summary>
    public static List<MoranStep> IncrementalMoran(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, ReadOnlySpan<double> values, double start, double increment)
    {
        var n = xs.Length;
        var (mean, _) = GiStar.MeanAndDeviation(values);
        var z = new double[n];
        double m2 = 0, m4 = 0;
        for (var i = 0; i < n; i++)
        {
            z[i] = values[i] - mean;
            m2 += z[i] * z[i];
            m4 += z[i] * z[i] * z[i] * z[i];
        }
        if (!(m2 > 0)) throw new HotspotInputException("values", "all values are equal: spatial autocorrelation is undefined", n);
        var b2 = n * m4 / (m2 * m2);

        // Bands that would average more than 500 neighbours are not searched (Esri stops there too); the
        // estimate from the mean density is checked exactly below.
        var area = Math.Max(BoxArea(xs, ys), 1e-9);
        var count = Bands;
        while (count > 1 && n * Math.PI * Math.Pow(start + (count - 1) * increment, 2) / area > 4 * MaxMeanNeighbours) count--;
        var distances = new double[count];
        for (var k = 0; k < count; k++) distances[k] = start + k * increment;
        var max = distances[^1];

        // One search at the largest distance; each pair is filed under the first band that holds it.
        var cross = new double[count];     // Σ_{i≠j within band} z_i z_j
        var degree = new int[n * count];   // neighbours of i first reached at band k
        var grid = new PointGrid(xs, ys, max);
        var visit = new BandVisitor { Distances2 = distances.Select(d => d * d * (1 + PointGrid.BoundaryTolerance)).ToArray(), Z = z, Cross = cross, Degree = degree, Count = count };
        for (var i = 0; i < n; i++)
        {
            visit.Self = i;
            grid.ForEachWithin(xs[i], ys[i], max, ref visit);
        }
        var steps = new List<MoranStep>(count);
        var deg = new long[n];
        double s0 = 0, crossSum = 0;
        for (var k = 0; k < count; k++)
        {
            double s2 = 0;
            for (var i = 0; i < n; i++)
            {
                deg[i] += degree[i * count + k];
                s2 += 4.0 * deg[i] * deg[i];
            }
            s0 = 0;
            for (var i = 0; i < n; i++) s0 += deg[i];
            crossSum += cross[k];
            var meanNeighbours = s0 / n;
            if (k > 0 && meanNeighbours > MaxMeanNeighbours) break;
            if (s0 == 0) { steps.Add(new MoranStep(distances[k], 0, 0, 1, 0)); continue; }
            var s1 = 2 * s0;
            var I = n / s0 * crossSum / m2;
            var e = -1.0 / (n - 1);
            double nn = n;
            var a = nn * ((nn * nn - 3 * nn + 3) * s1 - nn * s2 + 3 * s0 * s0);
            var b = b2 * ((nn * nn - nn) * s1 - 2 * nn * s2 + 6 * s0 * s0);
            var c = (nn - 1) * (nn - 2) * (nn - 3) * s0 * s0;
            var variance = (a - b) / c - e * e;
            var zi = variance > 0 ? (I - e) / Math.Sqrt(variance) : 0;
            steps.Add(new MoranStep(distances[k], I, zi, Normal.TwoSidedP(zi), meanNeighbours));
        }
        return steps;
    }

    struct BandVisitor : IPointVisitor
    {
        public double[] Distances2;
        public double[] Z;
        public double[] Cross;
        public int[] Degree;
        public int Count;
        public int Self;
        public void Visit(int index, double d2)
        {
            if (index == Self) return;
            var k = 0;
            while (d2 > Distances2[k]) k++;
            Cross[k] += Z[Self] * Z[index];
            Degree[Self * Count + k]++;
        }
    }

    /// <summary>√(σx² + σy²): the radius Esri's Standard Distance draws.</summary>
    public static double StandardDistance(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        var (_, sx) = GiStar.MeanAndDeviation(xs);
        var (_, sy) = GiStar.MeanAndDeviation(ys);
        return Math.Sqrt(sx * sx + sy * sy);
    }

    static double Extent(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        var (w, h) = Box(xs, ys);
        return Math.Max(w, h);
    }

    static double BoxArea(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        var (w, h) = Box(xs, ys);
        return w * h;
    }

    static (double W, double H) Box(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        for (var i = 0; i < xs.Length; i++)
        {
            minX = Math.Min(minX, xs[i]); maxX = Math.Max(maxX, xs[i]);
            minY = Math.Min(minY, ys[i]); maxY = Math.Max(maxY, ys[i]);
        }
        return xs.IsEmpty ? (0, 0) : (maxX - minX, maxY - minY);
    }
}

static class ChoiceText
{
    /// <summary>"= 0.0123" or "< 0.001": a p-value as analysts write it, never "= 0".</summary>
    public static string PText(double p) => p < 0.001 ? "< 0.001" : FormattableString.Invariant($"= {p:0.####}");
}
