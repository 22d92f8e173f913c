namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>What the caller may fix; everything left null is chosen by Esri's rules (<see cref="ScaleOfAnalysis"/>).</summary>
public sealed record HotSpotOptions
{
    /// <summary>Hexagon flat-to-flat size in metres; null: the nearest-neighbour rule.</summary>
    public double? CellSize { get; init; }
    /// <summary>Gi* distance band in metres; null: incremental spatial autocorrelation, else k nearest neighbours.</summary>
    public double? DistanceBand { get; init; }
    public int MaxCells { get; init; } = 100_000;
    public int MinPoints { get; init; } = 30;
    public bool FdrCorrection { get; init; } = true;
    /// <summary>Study area for empty cells (see <see cref="HexBins.Bin"/>); null: only cells with incidents.</summary>
    public Func<double, double, bool>? StudyArea { get; init; }
}

/// <summary>The parameters used and why, kept with every answer.</summary>
public sealed record HotSpotParameters(int Points, int Cells, Choice CellSize, Choice DistanceBand, bool FdrCorrected,
    IReadOnlyList<MoranStep> AutocorrelationSteps, double MeanNeighbours);

public sealed record HotSpotResult(HexBins Cells, GiStarResult Gi, HotSpotParameters Parameters);

/// <summary>
/// Optimized Hot Spot Analysis on points already in a metric frame (<see cref="LocalProjection"/>): hexagon
/// bins, the scale of analysis, Gi* with FDR. Pure computation; the endpoint reads, filters and projects.
/// </summary>
public static class OptimizedHotSpots
{
    public static HotSpotResult Analyse(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, ReadOnlySpan<double> weights, HotSpotOptions options)
    {
        var n = xs.Length;
        if (n < options.MinPoints)
            throw new HotspotInputException("points", $"{n} incidents are too few for hot spot analysis: at least {options.MinPoints} are needed", n, options.MinPoints);
        for (var i = 0; i < n; i++)
            if (!double.IsFinite(xs[i]) || !double.IsFinite(ys[i]) || (!weights.IsEmpty && !double.IsFinite(weights[i])))
                throw new HotspotInputException("points", $"point {i} has a coordinate or weight that is not a finite number");

        var cellSize = options.CellSize is { } c
            ? new Choice(c, Chosen.Given, "given")
            : ScaleOfAnalysis.CellSize(xs, ys);
        var cells = HexBins.Bin(xs, ys, weights, cellSize.Value, options.MaxCells, options.StudyArea);
        if (cells.Cells < 3)
            throw new HotspotInputException("cellSize", $"a cell size of {cellSize.Value:0.#} m leaves {cells.Cells} cells: Gi* needs at least 3", cells.Cells, 3);

        Choice band;
        IReadOnlyList<MoranStep> steps = [];
        if (options.DistanceBand is { } b) band = new Choice(b, Chosen.Given, "given");
        else (band, steps) = ScaleOfAnalysis.DistanceBand(cells.X, cells.Y, cells.Value);

        var gi = GiStar.Compute(cells.X, cells.Y, cells.Value, band.Value, options.FdrCorrection);
        double total = 0;
        foreach (var k in gi.Neighbours) total += k;
        return new HotSpotResult(cells, gi,
            new HotSpotParameters(n, cells.Cells, cellSize, band, options.FdrCorrection, steps, total / cells.Cells));
    }
}
