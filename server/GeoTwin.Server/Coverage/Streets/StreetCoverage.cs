using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.LinearReferencing;
using NetTopologySuite.Operation.Union;

namespace GeoTwin.Server.Coverage.Streets;

/// <summary>A piece of street no longer than <see cref="StreetCoverage.MaxSegmentM"/>, in a local metric frame.</summary>
public sealed record StreetSegment(long RoadId, string? Name, LineString Line, double LengthM)
{
    public double CoveredM { get; set; }
    /// <summary>Incident density at the segment's middle (incidents per m², the hot spots' kernel); 0 with no incidents.</summary>
    public double Density { get; set; }
    public double CoveredFraction => LengthM > 0 ? Math.Min(1, CoveredM / LengthM) : 0;
    public double UncoveredM => Math.Max(0, LengthM - CoveredM);
    public Coordinate Middle => Line.Length > 0 ? new LengthIndexedLine(Line).ExtractPoint(Line.Length / 2) : Line.Coordinate;
}

/// <summary>Covered length and shares (plain and weighted by incident density) of a set of segments.</summary>
public sealed record CoverageShare(double LengthM, double CoveredM, double Share, double? WeightedShare);

/// <summary>
/// Street coverage, pure: roads split into short segments, each segment's covered length (its length inside the union
/// of the cameras' visibility polygons), and shares. All in one local metric frame.
/// </summary>
public static class StreetCoverage
{
    public const double MaxSegmentM = 20;

    /// <summary>A road (a line or the parts left after clipping) cut into equal pieces of at most <paramref name="maxM"/>.</summary>
    public static IEnumerable<StreetSegment> Split(long roadId, string? name, Geometry line, double maxM = MaxSegmentM)
    {
        for (var g = 0; g < line.NumGeometries; g++)
        {
            if (line.GetGeometryN(g) is not LineString part || part.Length <= 0) continue;
            var n = (int)Math.Ceiling(part.Length / maxM);
            var step = part.Length / n;
            var indexed = new LengthIndexedLine(part);
            for (var i = 0; i < n; i++)
            {
                var piece = (LineString)indexed.ExtractLine(i * step, i == n - 1 ? part.Length : (i + 1) * step);
                yield return new StreetSegment(roadId, name, piece, piece.Length);
            }
        }
    }

    /// <summary>The union of visibility polygons, the one coverage every figure is measured against.</summary>
    public static Geometry Union(IEnumerable<Geometry> polygons, GeometryFactory factory)
    {
        var list = polygons.Where(p => !p.IsEmpty).ToList();
        return list.Count == 0 ? factory.CreatePolygon() : CascadedPolygonUnion.Union(list);
    }

    /// <summary>Sets each segment's covered length against the coverage.</summary>
    public static void Measure(IEnumerable<StreetSegment> segments, Geometry coverage)
    {
        if (coverage.IsEmpty)
        {
            foreach (var s in segments) s.CoveredM = 0;
            return;
        }
        var prepared = PreparedGeometryFactory.Prepare(coverage);
        foreach (var s in segments)
            s.CoveredM = !prepared.Intersects(s.Line) ? 0 : prepared.Covers(s.Line) ? s.LengthM : Math.Min(s.LengthM, s.Line.Intersection(coverage).Length);
    }

    public static CoverageShare Share(IEnumerable<StreetSegment> segments)
    {
        double length = 0, covered = 0, weight = 0, weightCovered = 0;
        foreach (var s in segments)
        {
            length += s.LengthM;
            covered += Math.Min(s.CoveredM, s.LengthM);
            weight += s.LengthM * s.Density;
            weightCovered += Math.Min(s.CoveredM, s.LengthM) * s.Density;
        }
        return new CoverageShare(length, covered, length > 0 ? covered / length : 0, weight > 0 ? weightCovered / weight : null);
    }

    /// <summary>"The streets that most need a camera": uncovered length × density, highest first (ties: longer uncovered first).</summary>
    public static List<StreetSegment> Neediest(IEnumerable<StreetSegment> segments, int top) =>
        segments.Where(s => s.UncoveredM > 1e-9 && s.Density > 0)
            .OrderByDescending(s => s.UncoveredM * s.Density).ThenByDescending(s => s.UncoveredM).Take(top).ToList();
}
