using GeoTwin.DataImport.Domain;
using GeoTwin.DataImport.Reading;
using GeoTwin.DataImport.Reading.Osm;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace GeoTwin.DataImport.Demo;

/// <summary>
/// 一标三实 for the demo: a standard address for the city, each community and every house (GA/T 2000.32
/// element types 12, 31, 50), the real OSM house numbers on them, the houses with their people counts,
/// and organizations from the OSM points of interest.
/// </summary>
sealed class Registry
{
    public List<AddressRow> Addresses { get; } = [];
    public List<HouseRow> Houses { get; } = [];
    public List<OrganizationRow> Organizations { get; } = [];
    public List<PlaceRow> Places { get; } = [];

    static string Code(string name) => DeterministicUuid.Make(DeterministicUuid.AddressNamespace, name);

    public static Registry Build(MonacoSource source, JurisdictionTree tree, RoadNetwork roads, Locator locator, int seed)
    {
        var registry = new Registry();
        var random = new Random(seed);
        var city = Code("city:" + JurisdictionTree.CityCode);
        var centre = tree.Land.InteriorPoint;
        var centreCommunity = locator.At(centre)!;
        registry.Addresses.Add(new AddressRow(city, 12, null, "摩纳哥", null, DemoGeo.Point(centre.Coordinate), centreCommunity.AreaCode, null));
        foreach (var c in tree.Communities)
            registry.Addresses.Add(new AddressRow(Code("community:" + c.Code), 31, city, $"摩纳哥 {c.Name}社区", null, c.Centre, c.AreaCode, c.Code));

        var houses = HousesOnLand(source, locator);
        var index = new STRtree<int>();
        for (var i = 0; i < houses.Count; i++) index.Insert(houses[i].Footprint.EnvelopeInternal, i);
        index.Build();

        // Door numbers: the building's own addr:housenumber, else the first house-number node inside it.
        var doors = houses.Select(h => h.Tags.ContainsKey("addr:housenumber") ? h.Tags : null).ToArray();
        var orphans = new List<(SourceRecord Number, Community Community)>();
        foreach (var number in source.HouseNumbers.OrderBy(MonacoSource.OsmId))
        {
            if (!number.Fields["osm_id"]!.StartsWith('n')) continue; // a building's own number, taken above
            if (locator.At(number.Geometry!) is not { } community) continue;
            var inside = index.Query(number.Geometry!.EnvelopeInternal).Where(i => doors[i] is null && houses[i].Footprint.Covers(number.Geometry)).Order().ToList();
            if (inside.Count > 0) doors[inside[0]] = number.Fields;
            else orphans.Add((number, community));
        }

        for (var i = 0; i < houses.Count; i++)
        {
            var (osmId, tags, footprint, use, community) = houses[i];
            var point = footprint.InteriorPoint;
            var door = doors[i]?.GetValueOrDefault("addr:housenumber");
            var street = doors[i]?.GetValueOrDefault("addr:street") ?? tags.GetValueOrDefault("addr:street") ?? StreetNear(roads, point.Coordinate) ?? community.NameEn;
            var text = door is not null
                ? $"摩纳哥 {community.Name}社区 {street} {door}号"
                : $"摩纳哥 {community.Name}社区 {street} {tags.GetValueOrDefault("name") ?? "楼栋"} {osmId}";
            var code = Code("osm:" + osmId);
            registry.Addresses.Add(new AddressRow(code, 50, Code("community:" + community.Code), Truncate(text, 500), door is null ? null : Truncate(door + "号", 50),
                DemoGeo.Point(point.Coordinate), community.AreaCode, community.Code));

            var height = OsmConventions.Height(tags, use);
            var areaM2 = Math.Round(DemoGeo.AreaM2(footprint), 1);
            var floorArea = areaM2 * (height.Floors ?? 1);
            var ownership = use is "public" or "religious" ? "public" : random.NextDouble() switch { < 0.55 => "private", < 0.9 => "rented", < 0.95 => "collective", _ => "other" };
            registry.Houses.Add(new HouseRow("H-" + osmId, code, footprint, height.BaseM, height.RoofM, height.Floors, use, ownership,
                Math.Max(1, (int)Math.Round(floorArea / (use == "residential" ? 70 : 150))), areaM2, community.AreaCode, community.Code));
        }

        foreach (var (number, community) in orphans)
        {
            var door = number.Fields["addr:housenumber"]!;
            var street = number.Fields.GetValueOrDefault("addr:street") ?? StreetNear(roads, number.Geometry!.Coordinate) ?? community.NameEn;
            registry.Addresses.Add(new AddressRow(Code("osm:" + number.Fields["osm_id"]), 50, Code("community:" + community.Code),
                Truncate($"摩纳哥 {community.Name}社区 {street} {door}号", 500), Truncate(door + "号", 50), DemoGeo.Point(number.Geometry!.Coordinate),
                community.AreaCode, community.Code));
        }

        Population.Distribute(registry.Houses, tree.Communities, source.Population, new Random(seed + 1));
        registry.AddOrganizations(source, locator, index);
        registry.AddPlaces(source, tree);
        return registry;
    }

    static List<(string OsmId, IReadOnlyDictionary<string, string?> Tags, MultiPolygon Footprint, string Use, Community Community)> HousesOnLand(
        MonacoSource source, Locator locator)
    {
        var houses = new List<(string, IReadOnlyDictionary<string, string?>, MultiPolygon, string, Community)>();
        foreach (var b in source.Buildings.OrderBy(MonacoSource.OsmId))
        {
            if (b.Fields.GetValueOrDefault("building") == "roof") continue; // a canopy, not a house
            var footprint = DemoGeo.AsMultiPolygon(b.Geometry!);
            if (footprint.IsEmpty || locator.At(footprint.InteriorPoint) is not { } community) continue;
            houses.Add((b.Fields["osm_id"]!, b.Fields, footprint, OsmConventions.BuildingUse(b.Fields), community));
        }
        return houses;
    }

    void AddOrganizations(MonacoSource source, Locator locator, STRtree<int> houseIndex)
    {
        foreach (var poi in source.Pois.OrderBy(MonacoSource.OsmId))
        {
            if (OsmConventions.OrganizationCategory(poi.Fields) is not { } category) continue;
            if (poi.Fields.GetValueOrDefault("name") is not { Length: > 0 } name) continue; // an unnamed shop is no record to keep
            if (locator.At(poi.Geometry!) is not { } community) continue;
            var house = houseIndex.Query(poi.Geometry!.EnvelopeInternal).Order().Where(i => Houses[i].Footprint.Covers(poi.Geometry)).Select(i => Houses[i]).FirstOrDefault();
            Organizations.Add(new OrganizationRow("O-" + poi.Fields["osm_id"], Truncate(name, 200), category, house?.AddressCode,
                DemoGeo.Point(poi.Geometry.Coordinate), community.AreaCode, community.Code));
        }
    }

    /// <summary>Named places, each name and kind once (a beach drawn as a way and tagged again as a node is one beach).
    /// Beaches and harbours lie beyond the land, so the communities' coverage (land and coast) places them.</summary>
    void AddPlaces(MonacoSource source, JurisdictionTree tree)
    {
        var coast = new Locator(tree.Communities.Select(c => c with { Boundary = c.Coverage }).ToList());
        var seen = new HashSet<(string, string)>();
        foreach (var p in source.Places.OrderBy(MonacoSource.OsmId))
        {
            var name = Truncate(p.Fields["name"]!.Trim(), 200);
            if (name.Length == 0 || OsmConventions.PlaceKind(p.Fields) is not { } kind || !seen.Add((kind, name))) continue;
            if (coast.At(p.Geometry!) is not { } community) continue; // in France
            Places.Add(new PlaceRow("P-" + p.Fields["osm_id"], name, kind, DemoGeo.Point(p.Geometry!.Coordinate), community.AreaCode));
        }
    }

    static string? StreetNear(RoadNetwork roads, Coordinate at) => roads.Nearest(at, e => e.Name is not null)?.Name;

    static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}

/// <summary>People counts per house: the real total spread over homes by floor area, with a floating
/// (non-registered) share that differs by community, and foreigners among the floating.</summary>
static class Population
{
    public static void Distribute(List<HouseRow> houses, List<Community> communities, int total, Random random)
    {
        var homes = houses.Where(h => h.Use == "residential").ToList();
        var weights = homes.Select(h => h.AreaM2 * (h.Floors ?? 1) * Math.Exp(0.3 * random.NextGaussian())).ToArray();
        var sum = weights.Sum();
        // Largest remainder: whole people that add up to the total exactly.
        var exact = weights.Select(w => w / sum * total).ToArray();
        var counts = exact.Select(x => (int)Math.Floor(x)).ToArray();
        foreach (var i in Enumerable.Range(0, homes.Count).OrderByDescending(i => exact[i] - counts[i]).ThenBy(i => i).Take(total - counts.Sum()))
            counts[i]++;

        var share = communities.ToDictionary(c => c.Code, _ => 0.15 + 0.45 * random.NextDouble());
        for (var i = 0; i < homes.Count; i++)
        {
            var h = homes[i];
            h.Total = counts[i];
            h.Floating = (int)Math.Round(h.Total * Math.Clamp(share[h.CommunityCode] + 0.08 * random.NextGaussian(), 0, 1));
            h.Foreign = (int)Math.Round(h.Floating * (0.5 + 0.4 * random.NextDouble()));
        }
    }
}
