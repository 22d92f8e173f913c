namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>
/// The statistics refuse an input they cannot answer honestly: too few points, a cell size or band that makes
/// too many cells, values without variance. <see cref="Parameter"/> names the input (as the endpoint calls it:
/// "points", "cellSize", "distanceBand", "values", "steps") so the caller can answer 422 problem+json naming it;
/// <see cref="Actual"/> and <see cref="Limit"/> carry the numbers in the message (count and minimum or maximum).
/// </summary>
public sealed class HotspotInputException(string parameter, string message, double? actual = null, double? limit = null)
    : Exception(message)
{
    public string Parameter { get; } = parameter;
    public double? Actual { get; } = actual;
    public double? Limit { get; } = limit;
}
