using GeoTwin.Server.Coverage.Visibility;
using GeoTwin.Server.Hotspots.Statistics;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace GeoTwin.Server.Coverage.Streets;

public sealed record AreaShare(string Code, string Name, string Kind, double LengthM, double CoveredM, double Share, double? WeightedShare);
public sealed record NeedySegment(long RoadId, string? Name, double[][] Line, double LengthM, double CoveredFraction, double DensityPerKm2, double Score);
public sealed record SegmentOut(long RoadId, double[][] Line, double CoveredFraction);
/// <param name="WeightedShare">covered share weighted by incident density; null when the period has too few incidents for a density</param>
public sealed record StreetsAnswer(string Jurisdiction, string Name, string Kind, double LengthM, double CoveredM, double Share, double? WeightedShare,
    int Cameras, int Incidents, double? BandwidthM, DateTimeOffset IncidentsFrom, List<AreaShare> Areas, List<NeedySegment> Neediest, List<SegmentOut>? Segments);

/// <summary>Everything street coverage is computed from, for one caller and area, in one metric frame.</summary>
public sealed class StreetPicture
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required LocalProjection Frame { get; init; }
    public required List<StreetSegment> Segments { get; init; }
    public required List<(string Code, string Name, string Kind, Geometry Boundary)> Parts { get; init; }
    public required List<Geometry> Visibility { get; init; }
    public required int Incidents { get; init; }
    public required double? BandwidthM { get; init; }
    public required DateTimeOffset From { get; init; }
    /// <summary>The area's boundary in the frame.</summary>
    public required Geometry Boundary { get; init; }

    public double[][] LonLat(LineString line)
    {
        var cs = line.Coordinates;
        var (lon, lat) = Frame.Inverse(cs.Select(c => c.X).ToArray(), cs.Select(c => c.Y).ToArray());
        return lon.Select((x, i) => new[] { Math.Round(x, 7), Math.Round(lat[i], 7) }).ToArray();
    }
}

/// <summary>Reads an area's streets, cameras' visibility and incidents through ScopedDb (RLS: the caller's cameras and incidents only).</summary>
public sealed class StreetsStore(ScopedDb db)
{
    static readonly GeometryFactory Metric = new();

    public async Task<StreetPicture> LoadAsync(CurrentUser user, string? jurisdiction, int months, CancellationToken ct)
    {
        var from = DateTimeOffset.UtcNow.AddMonths(-months);
        return await db.RunAsync(user, async s =>
        {
            var area = await s.Sql("Coverage/Streets/area.sql", jurisdiction).ListAsync(r =>
                (Code: r.GetString(0), Name: r.GetString(1), Kind: r.GetString(2), Path: r.GetString(3), Boundary: r.GetFieldValue<Geometry>(4), Inside: r.GetBoolean(5)), ct);
            if (area.Count == 0 || !area[0].Inside)
                throw Refusal.NotFound(jurisdiction is null ? "jurisdiction: your account has no jurisdiction" : $"jurisdiction: no jurisdiction '{jurisdiction}' in yours");
            var a = area[0];
            var centre = a.Boundary.EnvelopeInternal.Centre;
            var frame = new LocalProjection(Math.Round(centre.X, 1), Math.Round(centre.Y, 1));

            var segments = new List<StreetSegment>();
            foreach (var (id, name, geom) in await s.Sql("Coverage/Streets/roads_in.sql", a.Boundary).ListAsync(r =>
                         (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetFieldValue<Geometry>(2)), ct))
                segments.AddRange(StreetCoverage.Split(id, name, VisibilityStore.Project(Lines(geom), frame, forward: true)));

            var visibility = (await s.Sql("Coverage/Streets/visibility_in.sql", a.Boundary).ListAsync(r => r.GetFieldValue<Geometry>(1), ct))
                .Select(g => VisibilityStore.Project(g, frame, forward: true)).ToList();

            var parts = (await s.Sql("Coverage/Streets/parts.sql", a.Path).ListAsync(r =>
                    (r.GetString(0), r.GetString(1), r.GetString(2), VisibilityStore.Project(r.GetFieldValue<Geometry>(3), frame, forward: true)), ct));

            // The hot spots' density points query, called as it is: incidents since `from`, merged ones left out, RLS-scoped.
            var points = await s.Sql("Hotspots/Density/density_points.sql", null, from, null, null, null, a.Code, "UTC")
                .ListAsync(r => (r.GetDouble(0), r.GetDouble(1)), ct);
            double? bandwidth = null;
            if (points.Count >= 2)
            {
                var (xs, ys) = frame.Forward(points.Select(p => p.Item1).ToArray(), points.Select(p => p.Item2).ToArray());
                var h = KernelDensity.DefaultBandwidth(xs, ys, []).Value;
                if (h > 0 && double.IsFinite(h))
                {
                    var density = new KernelDensity(xs, ys, bandwidth: h);
                    bandwidth = h;
                    foreach (var seg in segments)
                    {
                        var m = seg.Middle;
                        seg.Density = density.At(m.X, m.Y);
                    }
                }
            }

            StreetCoverage.Measure(segments, StreetCoverage.Union(visibility, Metric));
            return new StreetPicture
            {
                Code = a.Code, Name = a.Name, Kind = a.Kind, Frame = frame, Segments = segments, Parts = parts, Visibility = visibility,
                Incidents = points.Count, BandwidthM = bandwidth, From = from, Boundary = VisibilityStore.Project(a.Boundary, frame, forward: true),
            };
        }, ct);
    }

    static Geometry Lines(Geometry g) => g switch
    {
        LineString or MultiLineString => g,
        _ => g.Factory.BuildGeometry(Enumerable.Range(0, g.NumGeometries).Select(g.GetGeometryN).Where(x => x is LineString or MultiLineString)),
    };

    public static StreetsAnswer Answer(StreetPicture p, int top, bool withSegments)
    {
        var total = StreetCoverage.Share(p.Segments);
        var areas = new List<AreaShare>();
        var middles = p.Segments.Select(s => Metric.CreatePoint(s.Middle)).ToList();
        foreach (var (code, name, kind, boundary) in p.Parts)
        {
            var prepared = PreparedGeometryFactory.Prepare(boundary);
            var mine = p.Segments.Where((_, i) => prepared.Covers(middles[i]));
            var share = StreetCoverage.Share(mine);
            areas.Add(new AreaShare(code, name, kind, share.LengthM, share.CoveredM, share.Share, share.WeightedShare));
        }
        var neediest = StreetCoverage.Neediest(p.Segments, top).Select(s => new NeedySegment(s.RoadId, s.Name, p.LonLat(s.Line), s.LengthM,
            s.CoveredFraction, s.Density * 1e6, s.UncoveredM * s.Density * 1e6)).ToList();
        var segments = withSegments ? p.Segments.Select(s => new SegmentOut(s.RoadId, p.LonLat(s.Line), Math.Round(s.CoveredFraction, 4))).ToList() : null;
        return new StreetsAnswer(p.Code, p.Name, p.Kind, total.LengthM, total.CoveredM, total.Share, total.WeightedShare, p.Visibility.Count,
            p.Incidents, p.BandwidthM, p.From, areas, neediest, segments);
    }
}
