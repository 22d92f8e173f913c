using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Union;

namespace GeoTwin.DataImport.Demo;

sealed record WarningPlaceRow(string Code, string Kind, string Name, string NameEn, MultiPolygon Boundary, MultiLineString? Street, string AreaCode);

/// <summary>A responsible person: the names and phones are generated (+999 is no country's calling code).</summary>
sealed record WarningPersonRow(string PlaceCode, string Role, string FullName, string Phone);

/// <summary>
/// The four-colour warning's places in Monaco: residential compounds from OSM landuse=residential and named apartment blocks, unit premises from
/// hospitals, schools, stations, markets, museums and attractions drawn as areas, and street patrol zones 30 m either
/// side of the longest named main streets; each with generated responsible people. Places are clipped to the land and
/// belong to the responsibility area holding their inside point.
/// </summary>
static class WarningPlaces
{
    const double MinCompoundM2 = 1_000, MinBlockM2 = 400, MinPremisesM2 = 300, ZoneHalfWidthM = 30, MinStreetM = 400;
    const int MaxZones = 12;

    static readonly Dictionary<string, (string Zh, string En)> PremisesKinds = new()
    {
        ["hospital"] = ("医院", "hospital"), ["clinic"] = ("诊所", "clinic"), ["school"] = ("学校", "school"),
        ["college"] = ("学院", "college"), ["university"] = ("大学", "university"), ["kindergarten"] = ("幼儿园", "kindergarten"),
        ["marketplace"] = ("市场", "market"), ["station"] = ("车站", "station"), ["museum"] = ("博物馆", "museum"),
        ["attraction"] = ("景点", "scenic spot"), ["zoo"] = ("动物园", "zoo"), ["casino"] = ("娱乐场", "casino"),
    };

    static readonly string[] MainStreets = ["trunk", "primary", "secondary", "tertiary"];
    static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林"];
    static readonly string[] Given = ["建国", "志强", "海燕", "丽华", "国庆", "伟", "敏", "静", "磊", "洋", "军", "秀英", "晓东", "文博", "雪梅", "俊杰"];

    public static (List<WarningPlaceRow> Places, List<WarningPersonRow> People) Build(MonacoSource source, JurisdictionTree tree, Locator locator, int seed)
    {
        var random = new Random(seed);
        var land = tree.Land;
        var places = new List<WarningPlaceRow>();
        var perCommunity = new Dictionary<string, int>();

        foreach (var area in source.Areas.OrderBy(MonacoSource.OsmId))
        {
            var tags = area.Fields;
            var premises = PremisesKind(tags);
            var kind = tags.GetValueOrDefault("landuse") == "residential" ? "compound" : premises is not null ? "unit_premises" : null;
            if (kind is null) continue;
            var clipped = DemoGeo.AsMultiPolygon(GeometryFixer.Fix(area.Geometry!.Intersection(land)));
            if (clipped.IsEmpty || DemoGeo.AreaM2(clipped) < (kind == "compound" ? MinCompoundM2 : MinPremisesM2)) continue;
            if (locator.At(clipped.InteriorPoint) is not { } community) continue;
            var n = perCommunity[community.Code + kind] = perCommunity.GetValueOrDefault(community.Code + kind) + 1;
            var osmName = tags.GetValueOrDefault("name");
            var (zh, en) = kind == "compound"
                ? (osmName ?? $"{community.Name}住宅小区{n}", osmName ?? $"{community.NameEn} residential compound {n}")
                : (osmName is null ? $"{community.Name}{PremisesKinds[premises!].Zh}{n}" : $"{osmName}（{PremisesKinds[premises!].Zh}）",
                   osmName ?? $"{community.NameEn} {PremisesKinds[premises!].En} {n}");
            places.Add(new WarningPlaceRow($"WP-{tags["osm_id"]}", kind, Cut(zh), Cut(en), clipped, null, community.AreaCode));
        }

        // Named apartment blocks are compounds too (Monaco's residences are towers more than estates); a block inside a
        // landuse compound is the smaller place, so its incidents go to it.
        foreach (var building in source.Buildings.OrderBy(MonacoSource.OsmId))
        {
            var tags = building.Fields;
            if (tags.GetValueOrDefault("building") is not ("apartments" or "residential") || tags.GetValueOrDefault("name") is not { Length: > 0 } name) continue;
            var clipped = DemoGeo.AsMultiPolygon(GeometryFixer.Fix(building.Geometry!.Intersection(land)));
            if (clipped.IsEmpty || DemoGeo.AreaM2(clipped) < MinBlockM2 || locator.At(clipped.InteriorPoint) is not { } community) continue;
            places.Add(new WarningPlaceRow($"WP-{tags["osm_id"]}", "compound", Cut(name), Cut(name), clipped, null, community.AreaCode));
        }

        // Patrol zones along the longest named main streets, each street's ways joined.
        var streets = source.Roads
            .Where(r => MainStreets.Contains(r.Fields.GetValueOrDefault("highway")) && r.Fields.GetValueOrDefault("name") is { Length: > 0 })
            .GroupBy(r => r.Fields["name"]!, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Line: UnaryUnionOp.Union(g.Select(r => r.Geometry!).ToList()).Intersection(land)))
            .Select(s => (s.Name, s.Line, Length: LinesOf(s.Line).Sum(DemoGeo.LengthM)))
            .Where(s => s.Length >= MinStreetM)
            .OrderByDescending(s => s.Length).ThenBy(s => s.Name, StringComparer.Ordinal)
            .Take(MaxZones).ToList();
        foreach (var (name, line, _) in streets)
        {
            var lines = LinesOf(line).ToArray();
            var zone = DemoGeo.AsMultiPolygon(GeometryFixer.Fix(BufferM(line, ZoneHalfWidthM).Intersection(land)));
            if (zone.IsEmpty || locator.At(zone.InteriorPoint) is not { } community) continue;
            places.Add(new WarningPlaceRow($"WZ-{Slug(name)}", "patrol_zone", Cut($"{name}街面巡区"), Cut($"{name} patrol zone"), zone,
                DemoGeo.Factory.CreateMultiLineString(lines), community.AreaCode));
        }

        // People: one community officer per community, one leader per station, and the place's own responsible person.
        var officers = new Dictionary<string, (string, string)>();
        var leaders = new Dictionary<string, (string, string)>();
        var people = new List<WarningPersonRow>();
        var communities = tree.Communities.ToDictionary(c => c.AreaCode);
        foreach (var place in places)
        {
            var community = communities[place.AreaCode];
            var own = place.Kind switch { "compound" => "property_manager", "unit_premises" => "security_chief", _ => "patrol_leader" };
            var officer = officers.TryGetValue(community.Code, out var o) ? o : officers[community.Code] = Person(random);
            var leader = leaders.TryGetValue(community.StationCode, out var l) ? l : leaders[community.StationCode] = Person(random);
            if (place.Kind != "patrol_zone") people.Add(new(place.Code, "community_officer", officer.Item1, officer.Item2));
            people.Add(new(place.Code, "station_leader", leader.Item1, leader.Item2));
            var (name, phone) = Person(random);
            people.Add(new(place.Code, own, name, phone));
        }
        return (places, people);
    }

    static string? PremisesKind(IReadOnlyDictionary<string, string?> tags)
    {
        if (tags.GetValueOrDefault("railway") == "station") return "station";
        foreach (var key in new[] { "amenity", "tourism" })
            if (tags.GetValueOrDefault(key) is { } v && PremisesKinds.ContainsKey(v) && v != "station") return v;
        return null;
    }

    /// <summary>A generated name marked as such, and a number under +999, which no country uses.</summary>
    static (string Name, string Phone) Person(Random random) =>
        ($"{Surnames[random.Next(Surnames.Length)]}{Given[random.Next(Given.Length)]}（演示）", $"+999 {random.Next(100, 1000)} {random.Next(1000, 10000)}");

    static IEnumerable<LineString> LinesOf(Geometry g) => LineStringExtracter.GetLines(g).Cast<LineString>().Where(l => !l.IsEmpty);

    /// <summary>A buffer in metres: scaled to a local metric frame and back (Monaco spans a few kilometres).</summary>
    static Geometry BufferM(Geometry g, double metres)
    {
        var k = DemoGeo.Offset(new Coordinate(0, 43.735), 1, 1);
        var (sx, sy) = (1 / k.X, 1 / (k.Y - 43.735));
        var scaled = g.Copy();
        scaled.Apply(new Scale(sx, sy));
        var buffered = scaled.Buffer(metres, 4);
        buffered.Apply(new Scale(1 / sx, 1 / sy));
        return buffered;
    }

    sealed class Scale(double sx, double sy) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;
        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++) { seq.SetX(i, seq.GetX(i) * sx); seq.SetY(i, seq.GetY(i) * sy); }
        }
    }

    static string Slug(string name)
    {
        var chars = name.Normalize(System.Text.NormalizationForm.FormD).Where(c => char.IsAsciiLetterOrDigit(c) || c == ' ' || c == '-')
            .Select(c => c == ' ' ? '-' : c).ToArray();
        var slug = new string(chars).Trim('-');
        return (slug.Length > 50 ? slug[..50] : slug) is { Length: > 0 } s ? s : "street";
    }

    static string Cut(string s) => s.Length <= 200 ? s : s[..200];
}
