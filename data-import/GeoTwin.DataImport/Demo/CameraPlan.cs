using System.Globalization;
using GeoTwin.DataImport.Domain;
using NetTopologySuite.Geometries;

namespace GeoTwin.DataImport.Demo;

/// <summary>
/// The real OSM cameras plus a generated network: government cameras at about half the road junctions,
/// each looking down one street, and social cameras at shops, hotels and banks facing the street.
/// Fields of view and ranges are those of ordinary bullet and dome cameras, so streets are covered in
/// patches and the coverage slice has real gaps to find.
/// </summary>
static class CameraPlan
{
    /// <summary>GB/T 28181 centre code of the demo. 99 is no GB/T 2260 province, so demo ids never clash with a real deployment.</summary>
    public const string Centre = "99000000";
    const int Road = 0, Traffic = 4, OtherSocial = 3;

    public static List<CameraRow> Build(MonacoSource source, RoadNetwork roads, Registry registry, Locator locator, int seed)
    {
        var random = new Random(seed);
        var cameras = new List<CameraRow>();
        var serial = 0;
        foreach (var osm in source.Cameras.OrderBy(MonacoSource.OsmId))
        {
            if (locator.Near(osm.Geometry!.Coordinate, 5) is not var (community, at)) continue; // farther off: not on Monaco's land
            var tags = osm.Fields;
            var kind = tags.GetValueOrDefault("camera:type") switch { "dome" => "dome", "panning" => "ptz", _ => "fixed" };
            double? heading = ParseDirection(tags.GetValueOrDefault("camera:direction") ?? tags.GetValueOrDefault("direction"));
            if (heading is null && kind == "fixed" && roads.Snap(at) is { } snap && !snap.At.Equals2D(at)) heading = DemoGeo.BearingDeg(at, snap.At);
            var industry = tags.GetValueOrDefault("surveillance:zone") == "traffic" ? Traffic : Road;
            cameras.Add(new CameraRow(Gb28181Id.Make(Centre, industry, 132, 0, ++serial), Name(roads, at, "监控"), DemoGeo.Point(at),
                tags.GetValueOrDefault("camera:mount") == "wall" ? 4 : 6, heading is null ? null : Math.Round(heading.Value, 1),
                kind == "fixed" ? 60 : 360, kind == "dome" ? 30 : 60, kind, "government", tags["osm_id"], community.AreaCode));
        }

        // Junctions where three or more edges meet, in id order: the places a city puts its street cameras.
        serial = 1000;
        foreach (var (_, (at, edges)) in roads.Nodes.OrderBy(n => n.Key))
        {
            if (edges.Count < 3 || random.NextDouble() > 0.5) continue;
            var point = DemoGeo.Point(at);
            if (locator.At(point) is not { } community) continue;
            var edge = edges[random.Next(edges.Count)];
            var line = edge.Geometry.StartPoint.Coordinate.Equals2D(at) ? edge.Geometry : (LineString)edge.Geometry.Reverse();
            var heading = DemoGeo.BearingDeg(at, DemoGeo.Along(line, Math.Min(15, edge.LengthM / 2)));
            cameras.Add(new CameraRow(Gb28181Id.Make(Centre, Road, 132, 0, ++serial), Name(roads, at, "路口"), point,
                6, Math.Round(heading, 1), 50 + 10 * random.Next(4), 40 + 10 * random.Next(4), "fixed", "government", null, community.AreaCode));
        }

        serial = 5000;
        foreach (var org in registry.Organizations.Where(o => o.Category is "shop" or "hotel" or "bank" or "entertainment"))
        {
            if (random.NextDouble() > 0.5 || roads.Snap(org.Location.Coordinate) is not { } snap) continue;
            var at = org.Location.Coordinate;
            var heading = snap.At.Equals2D(at) ? random.Next(360) : DemoGeo.BearingDeg(at, snap.At);
            cameras.Add(new CameraRow(Gb28181Id.Make(Centre, OtherSocial, 131, 8, ++serial), Name(roads, at, org.Name), org.Location,
                3, Math.Round(heading, 1), 90, 25, "fixed", "social", null, org.AreaCode));
        }
        return cameras;
    }

    static string Name(RoadNetwork roads, Coordinate at, string what) =>
        (roads.Nearest(at, e => e.Name is not null)?.Name is { } street ? $"{street} {what}" : what) is var s && s.Length <= 200 ? s : s[..200];

    static double? ParseDirection(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 ? d % 360 : null;
}
