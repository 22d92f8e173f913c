using GeoTwin.DataImport.Reading;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Union;

namespace GeoTwin.DataImport.Demo;

/// <summary>A community (社区) and the responsibility area (警务责任区) that polices it: one area per
/// community, the common "one community, one police office" arrangement.</summary>
/// <param name="Boundary">its land: where the demo puts houses, cameras, units and past incidents</param>
/// <param name="Coverage">what it polices: its land, its harbour and beaches and its share of the coastal strip</param>
sealed record Community(string Code, string Name, string NameEn, MultiPolygon Boundary, string AreaCode, string StationCode, Point Centre,
    MultiPolygon Coverage);

sealed record Station(string Code, string Name, string NameEn, Point Location);

sealed record JurisdictionRow(string Code, string Kind, string Name, string NameEn, string? ParentCode, MultiPolygon Boundary);

/// <summary>
/// City bureau > police stations > responsibility areas, with the communities beside the areas. The
/// communities are Monaco's administrative quarters clipped to the land and made into a partition: no
/// overlaps, and any land no quarter covers joins the quarter it shares most border with. The demo's
/// data (houses, units, past incidents) is placed on that land; the jurisdictions written police the
/// coast as well (<see cref="Coastal"/>).
/// </summary>
sealed class JurisdictionTree
{
    public const string CityCode = "MC";
    /// <summary>The demo bureau's clock (jurisdictions.time_zone of its root).</summary>
    public const string TimeZone = "Europe/Monaco";

    // Chinese names of Monaco's quarters by ISO 3166-2 code, as a Chinese police system would label them.
    static readonly Dictionary<string, string> QuarterNames = new()
    {
        ["MC-FO"] = "丰特维耶", ["MC-MO"] = "摩纳哥城", ["MC-CO"] = "孔达米纳", ["MC-VR"] = "拉鲁斯", ["MC-LA"] = "拉尔沃托",
        ["MC-MC"] = "蒙特卡洛", ["MC-JE"] = "异国花园", ["MC-MG"] = "莫内盖蒂", ["MC-SD"] = "圣德沃特谷",
    };

    public required MultiPolygon Land { get; init; }
    /// <summary>The city bureau's area: the municipality (land, harbours, beaches) and a coastal strip of Monaco's waters.</summary>
    public required MultiPolygon Coverage { get; init; }
    public required List<Community> Communities { get; init; }
    public required List<Station> Stations { get; init; }

    public static JurisdictionTree Build(MonacoSource source)
    {
        var land = DemoGeo.AsMultiPolygon(GeometryFixer.Fix(source.Land));
        var parts = Partition(land, source.Quarters.Select(q => q.Geometry!).ToList());

        var named = source.Quarters.Select((q, i) =>
        {
            var iso = q.Fields.GetValueOrDefault("ISO3166-2") ?? $"MC-Q{i + 1}";
            var nameEn = q.Fields.GetValueOrDefault("name") ?? iso;
            return (Code: iso, Name: QuarterNames.GetValueOrDefault(iso, nameEn), NameEn: nameEn, Boundary: parts[i], Quarter: q.Geometry!);
        }).Where(q => !q.Boundary.IsEmpty).OrderBy(q => q.Code, StringComparer.Ordinal).ToList();

        // Stations: Monaco's named police posts (Sûreté Publique, its headquarters, is the city bureau;
        // the Fourrière is the car pound). A post polices the quarter it stands in and the quarters nearer
        // to it than to any other post; it is named after the largest of them.
        var posts = new List<(SourceRecord Post, string Home)>();
        foreach (var post in source.Pois.Where(IsPolicePost).OrderBy(MonacoSource.OsmId))
            if (named.FirstOrDefault(q => q.Boundary.Covers(post.Geometry)).Code is { } home && posts.All(p => p.Home != home))
                posts.Add((post, home));
        if (posts.Count == 0) throw new InvalidDataException("the Monaco extract has no named police post inside the land");
        var postOf = named.ToDictionary(q => q.Code, q =>
        {
            var centre = q.Boundary.InteriorPoint.Coordinate;
            return posts.FindIndex(p => p.Home == q.Code) is var own and >= 0
                ? own
                : posts.Select((p, i) => (i, d: DemoGeo.DistanceM(p.Post.Geometry!.Coordinate, centre))).MinBy(x => x.d).i;
        });
        var stations = posts.Select((p, i) =>
        {
            var main = named.Where(q => postOf[q.Code] == i).MaxBy(q => q.Boundary.Area);
            return new Station($"MC-PS-{main.Code[3..]}", $"{main.Name}派出所", p.Post.Fields["name"]!, DemoGeo.Point(p.Post.Geometry!.Coordinate));
        }).ToList();
        var (coverage, covers) = Coastal(source, land, named.Select(q => (q.Quarter, q.Boundary)).ToList());
        var communities = named.Select((q, i) => new Community(q.Code, q.Name, q.NameEn, q.Boundary, q.Code + "-A", stations[postOf[q.Code]].Code,
            DemoGeo.Point(q.Boundary.InteriorPoint.Coordinate), covers[i])).ToList();
        stations.Sort((a, b) => string.CompareOrdinal(a.Code, b.Code));
        return new JurisdictionTree { Land = land, Coverage = coverage, Communities = communities, Stations = stations };
    }

    /// <summary>How far out to sea the coastal strip reaches, in degrees (about 250 m north-south, 180 m east-west).</summary>
    const double StripDegrees = 0.00225;
    /// <summary>Cells the strip beyond the quarters is cut into, each given to the community nearest to it (about 110 m).</summary>
    const double CellDegrees = 0.001;

    /// <summary>
    /// Where police are called is more than the land: the municipality's harbours, quays and beaches (the quarters reach
    /// them; the coastline does not) and a strip of Monaco's own waters along the shore (never France: the country's
    /// boundary with its territorial waters bounds it). Each community polices its land, its quarter beyond the land,
    /// and the cells of the strip nearest to it.
    /// </summary>
    static (MultiPolygon Coverage, List<MultiPolygon> Communities) Coastal(MonacoSource source, MultiPolygon land,
        List<(Geometry Quarter, MultiPolygon Land)> quarters)
    {
        // overlays of real shorelines leave slivers and lines: keep the polygons of each result
        static Geometry Areas(Geometry g) => DemoGeo.AsMultiPolygon(GeometryFixer.Fix(g));
        var municipality = Areas(source.Municipality);
        var strip = Areas(Areas(source.Country).Intersection(municipality.Buffer(StripDegrees)));
        var coverage = DemoGeo.AsMultiPolygon(GeometryFixer.Fix(UnaryUnionOp.Union(new[] { municipality, strip, land })));
        var sea = Areas(coverage.Difference(land));
        Geometry taken = DemoGeo.Factory.CreateMultiPolygon();
        var parts = new List<List<Geometry>>();
        foreach (var (quarter, own) in quarters)
        {
            var beyond = Areas(Areas(Areas(quarter).Intersection(sea)).Difference(taken));
            taken = Areas(taken.Union(beyond));
            parts.Add([own, beyond]);
        }
        var rest = Areas(sea.Difference(taken));
        var prepared = NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(rest);
        var env = rest.EnvelopeInternal;
        var reach = quarters.Select((q, i) => UnaryUnionOp.Union(parts[i])).ToList();
        for (var x = env.MinX; x < env.MaxX; x += CellDegrees)
            for (var y = env.MinY; y < env.MaxY; y += CellDegrees)
            {
                var cell = DemoGeo.Factory.ToGeometry(new Envelope(x, x + CellDegrees, y, y + CellDegrees));
                if (!prepared.Intersects(cell)) continue;
                var piece = Areas(rest.Intersection(cell));
                if (piece.IsEmpty) continue;
                var centre = piece.InteriorPoint;
                parts[Enumerable.Range(0, reach.Count).MinBy(i => reach[i].Distance(centre))].Add(piece);
            }
        return (coverage, parts.Select(p => DemoGeo.AsMultiPolygon(GeometryFixer.Fix(UnaryUnionOp.Union(p)))).ToList());
    }

    static bool IsPolicePost(SourceRecord p) =>
        p.Fields.GetValueOrDefault("amenity") == "police" && p.Fields.GetValueOrDefault("name") is { } n
        && (n.StartsWith("Commissariat", StringComparison.Ordinal) || n.StartsWith("Poste", StringComparison.Ordinal));

    /// <summary>Each quarter minus the land and the quarters before it; land left over goes to a neighbour.</summary>
    static List<MultiPolygon> Partition(MultiPolygon land, List<Geometry> quarters)
    {
        var parts = new List<Geometry>();
        Geometry taken = DemoGeo.Factory.CreatePolygon();
        foreach (var q in quarters)
        {
            var part = DemoGeo.AsMultiPolygon(q.Intersection(land).Difference(taken));
            parts.Add(part);
            taken = taken.Union(part);
        }
        var gaps = DemoGeo.AsMultiPolygon(land.Difference(taken));
        for (var i = 0; i < gaps.NumGeometries; i++)
        {
            var gap = gaps.GetGeometryN(i);
            var border = gap.Boundary.Buffer(1e-7);
            var best = Enumerable.Range(0, parts.Count)
                .OrderByDescending(k => parts[k].Intersection(border).Area)
                .ThenBy(k => parts[k].Distance(gap))
                .First();
            parts[best] = UnaryUnionOp.Union(new[] { parts[best], gap });
        }
        return parts.Select(p => DemoGeo.AsMultiPolygon(GeometryFixer.Fix(p))).ToList();
    }

    /// <summary>The rows in insertion order: a parent always before its children.</summary>
    public IEnumerable<JurisdictionRow> Rows()
    {
        yield return new JurisdictionRow(CityCode, "city_bureau", "摩纳哥市公安局", "Monaco City Bureau", null, Coverage);
        foreach (var s in Stations)
        {
            var area = UnaryUnionOp.Union(Communities.Where(c => c.StationCode == s.Code).Select(c => (Geometry)c.Coverage).ToList());
            yield return new JurisdictionRow(s.Code, "station", s.Name, s.NameEn, CityCode, DemoGeo.AsMultiPolygon(GeometryFixer.Fix(area)));
        }
        foreach (var c in Communities)
        {
            yield return new JurisdictionRow(c.AreaCode, "responsibility_area", $"{c.Name}警务责任区", $"{c.NameEn} area", c.StationCode, c.Coverage);
            yield return new JurisdictionRow(c.Code, "community", $"{c.Name}社区", c.NameEn, c.StationCode, c.Coverage);
        }
    }
}
