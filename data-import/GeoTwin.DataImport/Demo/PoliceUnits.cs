using NetTopologySuite.Geometries;

namespace GeoTwin.DataImport.Demo;

/// <summary>Patrol units at each station, standing somewhere on the road network of their station's area;
/// the station at Monaco's port (La Condamine, Port Hercule) also has boats, moored at the quay road.</summary>
static class PoliceUnits
{
    const string PortCommunity = "MC-CO";

    static readonly (string Kind, string Zh, char Letter, int PerStation, string[] Capabilities)[] Kinds =
    [
        ("car", "车", 'C', 4, ["patrol", "traffic"]),
        ("foot", "步", 'F', 3, ["patrol"]),
        ("motorbike", "摩", 'M', 2, ["patrol", "traffic"]),
        ("boat", "艇", 'B', 0, ["patrol", "maritime"]),
    ];

    public static List<UnitRow> Build(JurisdictionTree tree, RoadNetwork roads, Locator locator, int seed)
    {
        var random = new Random(seed);
        var units = new List<UnitRow>();
        foreach (var station in tree.Stations)
        {
            var shortName = station.Name.Replace("派出所", "");
            var inStation = roads.Edges.Where(e => locator.At(e.Geometry.InteriorPoint)?.StationCode == station.Code).ToList();
            foreach (var (kind, zh, letter, perStation, capabilities) in Kinds)
            {
                var count = kind == "boat" ? (tree.Communities.Any(c => c.Code == PortCommunity && c.StationCode == station.Code) ? 2 : 0) : perStation;
                for (var n = 1; n <= count; n++)
                {
                    var (at, heading) = kind == "boat" ? AtQuay(roads, station) : OnRoad(inStation, kind, random);
                    var status = random.NextDouble() switch { < 0.75 => "available", < 0.9 => "busy", _ => "off_duty" };
                    // Cars and boats carry JT/T 808 terminals, named by their SIM's phone number (145: a data-only range).
                    var device = kind is "car" or "boat" ? $"145{units.Count + 1:00000000}" : $"{station.Code}-{letter}{n:00}";
                    units.Add(new UnitRow($"{shortName}{zh}{n:00}", kind, device, capabilities, status,
                        station.Code, DemoGeo.Point(at), Math.Round(heading, 1)));
                }
            }
        }
        return units;
    }

    static (Coordinate, double) OnRoad(List<RoadEdge> edges, string kind, Random random)
    {
        var usable = kind == "foot" ? edges : edges.Where(RoadNetwork.Drivable).ToList();
        var edge = usable[random.Next(usable.Count)];
        var along = random.NextDouble() * edge.LengthM;
        var at = DemoGeo.Along(edge.Geometry, along);
        var ahead = DemoGeo.Along(edge.Geometry, Math.Min(edge.LengthM, along + 1));
        return (at, at.Equals2D(ahead) ? 0 : DemoGeo.BearingDeg(at, ahead));
    }

    static (Coordinate, double) AtQuay(RoadNetwork roads, Station station) =>
        roads.Snap(station.Location.Coordinate) is { } snap ? (snap.At, 0) : (station.Location.Coordinate, 0);
}
