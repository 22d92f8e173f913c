using System.Globalization;
using NetTopologySuite.Geometries;

namespace GeoTwin.DataImport.Demo;

/// <summary>
/// Two years of incidents shaped like real crime: mostly robbery, snatching, theft and burglary (两抢一盗);
/// street crime clustered around a few busy places (hotspots) with the rest spread over the streets;
/// burglary and fraud at homes; times drawn from hour-of-day and weekday profiles measured on real
/// incident records (data-import/data/incident-profiles.csv: San Francisco robberies, Cincinnati
/// burglaries; counts only, no record or coordinate of theirs).
/// </summary>
static class IncidentHistory
{
    public const int Days = 730;
    public const int PerYear = 2000;

    // The demo's mix (weights and usual priority); the codes and their Chinese names are the vocabulary's.
    static readonly (string Category, double Weight, short Priority, string Zh)[] Categories =
    [
        .. new (string Category, double Weight, short Priority)[]
        {
            ("theft", 40, 3), ("snatching", 12, 2), ("robbery", 8, 1), ("burglary", 14, 2), ("fraud", 6, 3), ("fight", 5, 2),
            ("disturbance", 6, 3), ("traffic_accident", 5, 2), ("missing_person", 1, 2), ("medical", 1, 1), ("fire", 1, 1), ("other", 1, 4),
        }.Select(c => (c.Category, c.Weight, c.Priority, Vocabulary.IncidentCategories.LabelOf(c.Category).Zh)),
    ];

    static readonly HashSet<string> StreetCrimes = ["theft", "snatching", "robbery", "fight", "disturbance"];

    public static List<IncidentRow> Build(Registry registry, RoadNetwork roads, Locator locator, List<UnitRow> units, DateTime untilUtc, int seed)
    {
        var random = new Random(seed);
        var profiles = Profiles.Load();
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Monaco");
        var firstDay = TimeZoneInfo.ConvertTimeFromUtc(untilUtc, zone).Date.AddDays(-Days);

        var categoryPick = DemoGeo.Cumulative(Categories.Select(c => c.Weight));
        var hotspotSites = registry.Organizations.Where(o => o.Category is "restaurant" or "shop" or "entertainment" or "scenic_spot" or "hotel").ToList();
        var hotspots = Enumerable.Range(0, 10).Select(_ => hotspotSites[random.Next(hotspotSites.Count)].Location.Coordinate).ToList();
        var hotspotPick = DemoGeo.Cumulative(hotspots.Select((_, k) => 1 / Math.Pow(k + 1, 0.8)));
        var edgePick = DemoGeo.Cumulative(roads.Edges.Select(e => e.LengthM));
        var mainRoads = roads.Edges.Where(e => e.RoadClass is "primary" or "secondary" or "tertiary").ToList();
        var mainPick = DemoGeo.Cumulative(mainRoads.Select(e => e.LengthM));
        var homes = registry.Houses.Where(h => h.Total > 0).ToList();
        var homePick = DemoGeo.Cumulative(homes.Select(h => (double)h.Total));
        var addressOf = registry.Addresses.ToDictionary(a => a.Code);
        var responders = units.Where(u => u.Kind != "boat").GroupBy(u => u.StationCode).ToDictionary(g => g.Key, g => g.ToList());

        var drawn = new List<(DateTime Received, string Category, short Priority, string Zh, Coordinate At, string? Address, Community Community)>();
        var count = PerYear * Days / 365;
        while (drawn.Count < count)
        {
            var (category, _, priority, zh) = Categories[random.Pick(categoryPick)];
            var local = firstDay.AddDays(random.Next(Days));
            // Weekday by rejection against the profile, then hour by the category's profile.
            if (random.NextDouble() * profiles.WeekdayMax > profiles.Weekday[((int)local.DayOfWeek + 6) % 7]) continue;
            local = local.AddHours(random.Pick(profiles.HoursFor(category))).AddMinutes(random.Next(60)).AddSeconds(random.Next(60));
            if (zone.IsInvalidTime(local)) local = local.AddHours(1); // the spring-forward hour does not exist
            var received = TimeZoneInfo.ConvertTimeToUtc(local, zone);
            if (received >= untilUtc) continue;

            Coordinate at;
            string? address = null;
            if (category is "burglary" or "fraud")
            {
                var home = homes[random.Pick(homePick)];
                address = home.AddressCode;
                at = addressOf[address].Location.Coordinate;
            }
            else if (category == "traffic_accident")
                at = PointOn(mainRoads[random.Pick(mainPick)], random);
            else if (StreetCrimes.Contains(category) && random.NextDouble() < 0.7)
            {
                var centre = hotspots[random.Pick(hotspotPick)];
                var near = DemoGeo.Offset(centre, 40 * random.NextGaussian(), 40 * random.NextGaussian());
                if (roads.Snap(near) is not { } snap) continue;
                at = snap.At;
            }
            else
                at = PointOn(roads.Edges[random.Pick(edgePick)], random);
            if (locator.At(DemoGeo.Point(at)) is not { } community) continue; // just off the land: draw again
            drawn.Add((received, category, priority, zh, at, address, community));
        }

        var rows = new List<IncidentRow>();
        var perDay = new Dictionary<DateTime, int>();
        foreach (var d in drawn.OrderBy(d => d.Received).ThenBy(d => d.Category, StringComparer.Ordinal))
        {
            var day = TimeZoneInfo.ConvertTimeFromUtc(d.Received, zone).Date;
            var code = $"JQ-{day:yyyyMMdd}-{perDay[day] = perDay.GetValueOrDefault(day) + 1:000}";
            var place = roads.Nearest(d.At, e => e.Name is not null)?.Name ?? d.Community.NameEn;
            var description = $"{d.Zh}：{place}";
            if (d.Received > untilUtc.AddHours(-2))
            {
                rows.Add(new IncidentRow(code, d.Category, d.Priority, description, DemoGeo.Point(d.At), d.Address, "new",
                    d.Received, null, null, null, null, d.Community.AreaCode, d.Community.Code));
                continue;
            }
            var team = responders[d.Community.StationCode];
            var dispatch = d.Received.AddSeconds(60 + random.Next(180));
            var arrival = dispatch.AddSeconds(180 + random.Next(540));
            var closed = arrival.AddSeconds(900 + random.Next(4500));
            rows.Add(new IncidentRow(code, d.Category, d.Priority, description, DemoGeo.Point(d.At), d.Address, "closed",
                d.Received, dispatch, arrival, closed, team[random.Next(team.Count)].CallSign, d.Community.AreaCode, d.Community.Code));
        }
        return rows;
    }

    static Coordinate PointOn(RoadEdge edge, Random random) => DemoGeo.Along(edge.Geometry, random.NextDouble() * edge.LengthM);

    /// <summary>The measured profiles: robbery hours for street violence, burglary hours for break-ins, both for theft.</summary>
    sealed class Profiles
    {
        public required double[] RobberyHours { get; init; }
        public required double[] BurglaryHours { get; init; }
        public required double[] Weekday { get; init; }
        public double WeekdayMax => Weekday.Max();

        public double[] HoursFor(string category) => DemoGeo.Cumulative(category switch
        {
            "robbery" or "snatching" or "fight" or "disturbance" => RobberyHours,
            "theft" => RobberyHours.Zip(BurglaryHours, (a, b) => a + b),
            _ => BurglaryHours,
        });

        public static Profiles Load()
        {
            using var stream = typeof(Profiles).Assembly.GetManifestResourceStream("GeoTwin.DataImport.Demo.incident-profiles.csv")!;
            using var reader = new StreamReader(stream);
            var counts = new Dictionary<(string, string), double[]>();
            reader.ReadLine();
            while (reader.ReadLine() is { } line)
            {
                var f = line.Split(',');
                var key = (f[0], f[1]);
                if (!counts.ContainsKey(key)) counts[key] = new double[f[1] == "hour" ? 24 : 7];
                counts[key][int.Parse(f[2], CultureInfo.InvariantCulture)] = double.Parse(f[3], CultureInfo.InvariantCulture);
            }
            // Each profile as shares, so the larger Cincinnati set does not outweigh San Francisco's.
            static double[] Share(double[] c) => c.Select(x => x / c.Sum()).ToArray();
            return new Profiles
            {
                RobberyHours = Share(counts[("robbery", "hour")]),
                BurglaryHours = Share(counts[("burglary", "hour")]),
                Weekday = Share(counts[("robbery", "weekday")]).Zip(Share(counts[("burglary", "weekday")]), (a, b) => a + b).ToArray(),
            };
        }
    }
}
