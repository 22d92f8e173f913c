using GeoTwin.Tiling.Geodesy;
using NetTopologySuite.Geometries;

namespace GeoTwin.Tiling.Tests;

/// <summary>Footprints drawn in metres east and north of a point, returned in EPSG:4326 like the real ones.</summary>
public static class Footprints
{
    public static readonly GeometryFactory Factory = new();

    /// <summary>A polygon from rings of (east, north) metres around (lon, lat); the first ring is the shell.</summary>
    public static Polygon Polygon(double lon, double lat, params (double E, double N)[][] rings)
    {
        var (perLon, perLat) = Wgs84.MetresPerDegree(lat);
        var linear = rings.Select(r => Factory.CreateLinearRing(
            r.Append(r[0]).Select(p => new Coordinate(lon + p.E / perLon, lat + p.N / perLat)).ToArray())).ToArray();
        return Factory.CreatePolygon(linear[0], linear[1..]);
    }

    public static Polygon Rectangle(double lon, double lat, double width, double depth) =>
        Polygon(lon, lat, [(0, 0), (width, 0), (width, depth), (0, depth)]);

    /// <summary>A 20 x 14 m courtyard house: a 6 x 4 m hole in it, the shell drawn clockwise on purpose.</summary>
    public static Polygon Courtyard(double lon, double lat) =>
        Polygon(lon, lat,
            [(0, 0), (0, 14), (20, 14), (20, 0)],
            [(7, 5), (13, 5), (13, 9), (7, 9)]);

    /// <summary>An L-shaped house with a collinear vertex on its long side (a concave, awkward case).</summary>
    public static Polygon LShape(double lon, double lat) =>
        Polygon(lon, lat, [(0, 0), (6, 0), (12, 0), (12, 5), (5, 5), (5, 15), (0, 15)]);
}
