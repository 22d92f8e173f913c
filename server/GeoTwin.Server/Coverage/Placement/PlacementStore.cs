using GeoTwin.Server.Coverage.Streets;
using GeoTwin.Server.Coverage.Visibility;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.LinearReferencing;
using GeoTwin.Server.Infrastructure.Errors;
using Npgsql;

namespace GeoTwin.Server.Coverage.Placement;

/// <param name="Kind">"ptz" (360°) or "fixed" (two candidates a site, looking both ways along the street)</param>
/// <param name="Weights">"incidents" (street length × incident density; length alone where no density can be made) or "length"</param>
/// <param name="Exact">solve the integer programme too; by default when there are at most 500 candidates</param>
/// <param name="Sites">where candidates stand: "streets" (junctions and points every SpacingM), "imported" (the planner's
/// imported sites, e.g. lamp posts) or "both"</param>
/// <param name="Budget">with <paramref name="CostPerCamera"/>, how many cameras: ⌊budget / cost⌋ in place of K</param>
public sealed record PlacementRequest(int K = 5, string? Jurisdiction = null, double SpacingM = 50, string Kind = "ptz", double MountHeightM = 6,
    double FovDeg = 90, double RangeM = 50, string Weights = "incidents", int Months = 12, bool? Exact = null, string Sites = "streets",
    double? Budget = null, double CostPerCamera = 1)
{
    public const int MaxK = 50;
    /// <summary>The number of cameras asked for: K, or what the budget buys.</summary>
    public int Cameras => Budget is { } b ? (int)Math.Min(int.MaxValue, Math.Floor(b / CostPerCamera + 1e-9)) : K;
}

public sealed record Suggestion(double Lon, double Lat, double? HeadingDeg, double Gain, double GainLengthM, double[][][] Polygon);
/// <param name="Gap">(optimum − greedy) / optimum; null when the optimum was not computed</param>
/// <param name="K">the cameras chosen for (K, or what the budget buys)</param>
/// <param name="Area">whether a drawn area limited the candidates and the objective (the shares are then the area's)</param>
public sealed record PlacementAnswer(string Jurisdiction, int Candidates, string Weights, double Share, double ShareWithGreedy,
    List<Suggestion> Greedy, double GreedyValue, List<Suggestion>? Optimum, double? OptimumValue, bool? Optimal, double? Gap,
    int K = 0, string Sites = "streets", bool Area = false, int ImportedSites = 0);

/// <summary>Where new cameras help most: candidate sites, their potential visibility, greedy and exact selection.</summary>
public sealed class PlacementStore(StreetsStore streets, NpgsqlDataSource owner, ScopedDb scoped)
{
    public const double ElementM = 2; // street elements a candidate covers or not, by their middle
    public const int MaxExactCandidates = 500;
    static readonly GeometryFactory Metric = new();

    public const int MaxImportedSites = 20_000;
    const double NearestStreetM = 200; // an imported site farther from any street looks north

    /// <param name="area">a polygon the planner drew (EPSG:4326): only candidates inside it, and only the streets inside it count</param>
    public async Task<PlacementAnswer> SuggestAsync(CurrentUser user, PlacementRequest q, CancellationToken ct, Geometry? area = null)
    {
        var picture = await streets.LoadAsync(user, q.Jurisdiction, q.Months, ct);
        IPreparedGeometry? zone = null;
        if (area is not null)
        {
            var inFrame = VisibilityStore.Project(area, picture.Frame, forward: true).Intersection(picture.Boundary);
            if (inFrame.IsEmpty || inFrame.Area <= 0)
                throw Refusal.Unprocessable($"area: does not overlap {picture.Name} ({picture.Code})", "area");
            zone = PreparedGeometryFactory.Prepare(inFrame);
        }
        var segments = zone is null ? picture.Segments : picture.Segments.Where(s => zone.Covers(Metric.CreatePoint(s.Middle))).ToList();

        // Houses hide sight whichever station they belong to: footprints and heights are read as GeoTwin (no personal data).
        var box = picture.Boundary.EnvelopeInternal.Copy();
        box.ExpandBy(q.RangeM * 1.1);
        var (lon, lat) = picture.Frame.Inverse([box.MinX, box.MaxX], [box.MinY, box.MaxY]);
        var houses = await owner.Sql("Coverage/Visibility/houses_near.sql", lon.Min(), lat.Min(), lon.Max(), lat.Max())
            .ListAsync(r => new Obstacle(VisibilityStore.Project(r.GetFieldValue<Geometry>(1), picture.Frame, forward: true), r.GetFloat(2)), ct);
        var houseIndex = new STRtree<Obstacle>();
        foreach (var h in houses) houseIndex.Insert(h.Footprint.EnvelopeInternal, h);

        // Street elements not yet covered, with their weights.
        var existing = PreparedGeometryFactory.Prepare(StreetCoverage.Union(picture.Visibility, Metric));
        var useDensity = q.Weights == "incidents" && picture.BandwidthM is not null;
        var elements = new List<(Point Middle, double Weight, double Length)>();
        foreach (var s in segments)
        {
            if (s.CoveredFraction >= 1) continue;
            var n = (int)Math.Ceiling(s.LengthM / ElementM);
            var line = new LengthIndexedLine(s.Line);
            for (var i = 0; i < n; i++)
            {
                var len = s.LengthM / n;
                var mid = Metric.CreatePoint(line.ExtractPoint((i + 0.5) * len));
                if (existing.Covers(mid)) continue;
                elements.Add((mid, len * (useDensity ? s.Density * 1e6 : 1), len));
            }
        }
        var elementIndex = new STRtree<int>();
        for (var i = 0; i < elements.Count; i++) elementIndex.Insert(elements[i].Middle.EnvelopeInternal, i);

        var sites = q.Sites is "streets" or "both" ? Candidates(picture, q.SpacingM) : [];
        var imported = q.Sites is "imported" or "both" ? await ImportedAsync(user, picture, ct) : [];
        sites.AddRange(imported);
        if (zone is not null) sites = sites.Where(s => zone.Covers(Metric.CreatePoint(s.At))).ToList();
        var candidates = new List<(Coordinate At, double? Heading, Geometry Polygon, int[] Covers)>();
        foreach (var (at, along) in sites)
            foreach (double? heading in q.Kind == "ptz" ? [null] : new double?[] { along, (along + 180) % 360 })
            {
                var view = new CameraView(at.X, at.Y, q.MountHeightM, heading ?? 0, q.FovDeg, q.RangeM, heading is null);
                var reach = new Envelope(at.X - q.RangeM, at.X + q.RangeM, at.Y - q.RangeM, at.Y + q.RangeM);
                var polygon = Viewshed.Compute(view, houseIndex.Query(reach).ToList(), Metric);
                var prepared = PreparedGeometryFactory.Prepare(polygon);
                var covers = elementIndex.Query(polygon.EnvelopeInternal).Where(e => prepared.Covers(elements[e].Middle)).Order().ToArray();
                if (covers.Length > 0) candidates.Add((at, heading, polygon, covers));
            }

        var problem = new CoverageProblem(elements.Select(e => e.Weight).ToArray(), candidates.Select(c => c.Covers).ToArray());
        var k = q.Cameras;
        var greedy = MaxCoverage.Greedy(problem, k);
        ExactSelection? exact = null;
        if (q.Exact ?? candidates.Count <= MaxExactCandidates) exact = MaxCoverage.Exact(problem, k, TimeSpan.FromSeconds(60));

        var lengthProblem = problem with { Weights = elements.Select(e => e.Length).ToArray() };
        var total = StreetCoverage.Share(segments);
        var added = lengthProblem.Value(greedy.Chosen);

        Suggestion Make(int c, double gain, double gainLength)
        {
            var (x, y) = picture.Frame.Inverse([candidates[c].At.X], [candidates[c].At.Y]);
            var back = VisibilityStore.Project(candidates[c].Polygon, picture.Frame, forward: false);
            var rings = Enumerable.Range(0, back.NumGeometries).Select(back.GetGeometryN).OfType<Polygon>()
                .Select(p => p.ExteriorRing.Coordinates.Select(k => new[] { Math.Round(k.X, 7), Math.Round(k.Y, 7) }).ToArray()).ToArray();
            return new Suggestion(x[0], y[0], candidates[c].Heading, gain, gainLength, rings);
        }
        var greedyOut = new List<Suggestion>();
        var soFar = new List<int>();
        for (var i = 0; i < greedy.Chosen.Length; i++)
        {
            var before = lengthProblem.Value(soFar);
            soFar.Add(greedy.Chosen[i]);
            greedyOut.Add(Make(greedy.Chosen[i], greedy.Gains[i], lengthProblem.Value(soFar) - before));
        }
        return new PlacementAnswer(picture.Code, candidates.Count, useDensity ? "incidents" : "length", total.Share,
            total.LengthM > 0 ? (total.CoveredM + added) / total.LengthM : 0, greedyOut, greedy.Value,
            exact?.Chosen.Select(c => Make(c, problem.Value([c]), lengthProblem.Value([c]))).ToList(), exact?.Value, exact?.Optimal,
            exact is { Value: > 0 } e ? (e.Value - greedy.Value) / e.Value : exact is null ? null : 0,
            k, q.Sites, zone is not null, imported.Count);
    }

    /// <summary>The caller's imported sites in the area (RLS-scoped), each with the bearing of the nearest street, so a
    /// fixed camera there looks along it.</summary>
    async Task<List<(Coordinate At, double Bearing)>> ImportedAsync(CurrentUser user, StreetPicture picture, CancellationToken ct)
    {
        var boundary = VisibilityStore.Project(picture.Boundary, picture.Frame, forward: false);
        var rows = await scoped.RunAsync(user, s => s.Sql("Coverage/Placement/sites_in.sql", boundary, MaxImportedSites)
            .ListAsync(r => (Lon: r.GetDouble(2), Lat: r.GetDouble(3)), ct), ct);
        if (rows.Count == 0) return [];
        var (xs, ys) = picture.Frame.Forward(rows.Select(r => r.Lon).ToArray(), rows.Select(r => r.Lat).ToArray());
        var index = new STRtree<StreetSegment>();
        foreach (var seg in picture.Segments) index.Insert(seg.Line.EnvelopeInternal, seg);
        var sites = new List<(Coordinate, double)>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var at = new Coordinate(xs[i], ys[i]);
            var bearing = 0.0;
            var probe = Metric.CreatePoint(at);
            var reach = new Envelope(at);
            reach.ExpandBy(NearestStreetM);
            var near = index.Query(reach).MinBy(seg => seg.Line.Distance(probe));
            if (near is not null)
            {
                var (a, b) = (near.Line.StartPoint.Coordinate, near.Line.EndPoint.Coordinate);
                bearing = (90 - Math.Atan2(b.Y - a.Y, b.X - a.X) * 180 / Math.PI + 360) % 360;
            }
            sites.Add((at, bearing));
        }
        return sites;
    }


    /// <summary>Road junctions (where three or more segment ends meet) and points every <paramref name="spacing"/> m along each road,
    /// each with the street's bearing there.</summary>
    static List<(Coordinate At, double Bearing)> Candidates(StreetPicture p, double spacing)
    {
        var sites = new List<(Coordinate, double)>();
        var ends = new Dictionary<(long, long), (Coordinate At, int Count, double Bearing)>();
        void End(Coordinate c, double bearing)
        {
            var key = ((long)Math.Round(c.X * 10), (long)Math.Round(c.Y * 10));
            ends[key] = ends.TryGetValue(key, out var v) ? (v.At, v.Count + 1, v.Bearing) : (c, 1, bearing);
        }
        foreach (var road in p.Segments.GroupBy(s => s.RoadId))
        {
            var walked = 0.0;
            var next = spacing / 2;
            foreach (var s in road)
            {
                var a = s.Line.StartPoint.Coordinate;
                var b = s.Line.EndPoint.Coordinate;
                var bearing = (90 - Math.Atan2(b.Y - a.Y, b.X - a.X) * 180 / Math.PI + 360) % 360;
                End(a, bearing);
                End(b, bearing);
                var line = new LengthIndexedLine(s.Line);
                while (next <= walked + s.LengthM)
                {
                    sites.Add((line.ExtractPoint(next - walked), bearing));
                    next += spacing;
                }
                walked += s.LengthM;
            }
        }
        sites.AddRange(ends.Values.Where(v => v.Count >= 3).Select(v => (v.At, v.Bearing)));
        return sites;
    }
}
