using GeoTwin.DataImport.Reading;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Union;

namespace GeoTwin.DataImport.Demo;

/// <summary>A community (社区) and the responsibility area (警务责任区) that polices it: one area per
/// community, the common "one community, one police office" arrangement.</summary>
sealed record Community(string Code, string Name, string NameEn, MultiPolygon Boundary, string AreaCode, string StationCode, Point Centre);

sealed record Station(string Code, string Name, string NameEn, Point Location);

sealed record JurisdictionRow(string Code, string Kind, string Name, string NameEn, string? ParentCode, MultiPolygon Boundary);

/// <summary>
/// City bureau > police stations > responsibility areas, with the communities beside the areas. The
/// communities are Monaco's administrative quarters clipped to the land and made into a partition: no
/// overlaps, and any land no quarter covers joins the quarter it shares most border with.
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
            return (Code: iso, Name: QuarterNames.GetValueOrDefault(iso, nameEn), NameEn: nameEn, Boundary: parts[i]);
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
        var communities = named.Select(q => new Community(q.Code, q.Name, q.NameEn, q.Boundary, q.Code + "-A", stations[postOf[q.Code]].Code,
            DemoGeo.Point(q.Boundary.InteriorPoint.Coordinate))).ToList();
        stations.Sort((a, b) => string.CompareOrdinal(a.Code, b.Code));
        return new JurisdictionTree { Land = land, Communities = communities, Stations = stations };
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
        yield return new JurisdictionRow(CityCode, "city_bureau", "摩纳哥市公安局", "Monaco City Bureau", null, Land);
        foreach (var s in Stations)
        {
            var area = UnaryUnionOp.Union(Communities.Where(c => c.StationCode == s.Code).Select(c => (Geometry)c.Boundary).ToList());
            yield return new JurisdictionRow(s.Code, "station", s.Name, s.NameEn, CityCode, DemoGeo.AsMultiPolygon(GeometryFixer.Fix(area)));
        }
        foreach (var c in Communities)
        {
            yield return new JurisdictionRow(c.AreaCode, "responsibility_area", $"{c.Name}警务责任区", $"{c.NameEn} area", c.StationCode, c.Boundary);
            yield return new JurisdictionRow(c.Code, "community", $"{c.Name}社区", c.NameEn, c.StationCode, c.Boundary);
        }
    }
}
