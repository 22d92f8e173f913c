using GeoTwin.Tiling.Extrusion;
using GeoTwin.Tiling.Geodesy;
using GeoTwin.Tiling.Gltf;
using NetTopologySuite.Geometries;

namespace GeoTwin.Tiling.Bench;

/// <summary>
/// Made up houses, generated as they are read so the input costs no memory: a square grid at 30 m spacing
/// (1,000,000 houses cover 30 x 30 km) in southern China, rectangles of 6-20 m, every 7th an L-shape, every
/// 11th a courtyard house with a hole, 1-8 floors, the properties a house record has.
/// </summary>
public static class SyntheticHouses
{
    public static readonly FeatureClass Class = new("house",
    [
        new("code", PropertyType.String),
        new("use", PropertyType.String),
        new("floors", PropertyType.Int32),
        new("height", PropertyType.Float64),
        new("residents", PropertyType.Int32),
        new("floating", PropertyType.Int32),
    ]);

    private static readonly string[] Uses = ["home", "shop", "office", "school", "hotel"];

    public static IEnumerable<ExtrudedFeature> Generate(int count, int seed = 1)
    {
        var factory = new GeometryFactory();
        var random = new Random(seed);
        var side = (int)Math.Ceiling(Math.Sqrt(count));
        const double originLon = 113.2, originLat = 22.4;
        var (perLon, perLat) = Wgs84.MetresPerDegree(originLat);
        for (var i = 0; i < count; i++)
        {
            var lon = originLon + i % side * 30 / perLon;
            var lat = originLat + i / side * 30 / perLat;
            var (w, d) = (6 + random.NextDouble() * 14, 6 + random.NextDouble() * 14);
            (double E, double N)[][] rings = (i % 11, i % 7) switch
            {
                (5, _) => [[(0, 0), (20, 0), (20, 14), (0, 14)], [(7, 5), (7, 9), (13, 9), (13, 5)]],
                (_, 3) => [[(0, 0), (w, 0), (w, d / 2), (w / 2, d / 2), (w / 2, d), (0, d)]],
                _ => [[(0, 0), (w, 0), (w, d), (0, d)]],
            };
            var polygon = factory.CreatePolygon(
                Ring(rings[0]), rings.Skip(1).Select(Ring).ToArray());
            var floors = 1 + random.Next(8);
            var residents = random.Next(30);
            yield return new ExtrudedFeature($"h{i:D7}", polygon, 0, 3.0 * floors,
                [$"4401{i:D10}", Uses[i % Uses.Length], floors, 3.0 * floors, residents, residents / 3]);

            LinearRing Ring((double E, double N)[] r) => factory.CreateLinearRing(
                r.Append(r[0]).Select(p => new Coordinate(lon + p.E / perLon, lat + p.N / perLat)).ToArray());
        }
    }
}
