using GeoTwin.Tiling.Geodesy;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace GeoTwin.DataImport.Demo;

/// <summary>Small geometry helpers for a town-sized area: metres from degrees with a local scale is
/// exact enough at 2 km and keeps the demo free of projections.</summary>
static class DemoGeo
{
    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);
    // The ellipsoid's scale at Monaco's latitude, for areas, bearings and offsets; the error across the 3 km of the demo is
    // under 0.1%. Distances go through Wgs84.DistanceM, the one measure the server uses too.
    static readonly double MetresPerDegreeLat = Wgs84.MetresPerDegree(43.735).PerLatDegree;
    static readonly double MetresPerDegreeLon = Wgs84.MetresPerDegree(43.735).PerLonDegree;

    public static double AreaM2(Geometry g) => g.Area * MetresPerDegreeLat * MetresPerDegreeLon;

    public static double LengthM(LineString line)
    {
        double sum = 0;
        for (var i = 1; i < line.NumPoints; i++) sum += DistanceM(line.GetCoordinateN(i - 1), line.GetCoordinateN(i));
        return sum;
    }

    public static double DistanceM(Coordinate a, Coordinate b) => Wgs84.DistanceM(a.X, a.Y, b.X, b.Y);

    /// <summary>Compass bearing from a to b, 0 to 360 (north = 0, east = 90).</summary>
    public static double BearingDeg(Coordinate a, Coordinate b)
    {
        var deg = Math.Atan2((b.X - a.X) * MetresPerDegreeLon, (b.Y - a.Y) * MetresPerDegreeLat) * 180 / Math.PI;
        return deg < 0 ? deg + 360 : deg >= 360 ? 0 : deg;
    }

    public static Coordinate Offset(Coordinate c, double eastM, double northM) =>
        new(c.X + eastM / MetresPerDegreeLon, c.Y + northM / MetresPerDegreeLat);

    public static Point Point(Coordinate c) => Factory.CreatePoint(new Coordinate(c.X, c.Y));

    /// <summary>The point a given distance along a line from its start.</summary>
    public static Coordinate Along(LineString line, double metres)
    {
        for (var i = 1; i < line.NumPoints; i++)
        {
            var a = line.GetCoordinateN(i - 1);
            var b = line.GetCoordinateN(i);
            var d = DistanceM(a, b);
            if (metres <= d && d > 0) return new Coordinate(a.X + (b.X - a.X) * metres / d, a.Y + (b.Y - a.Y) * metres / d);
            metres -= d;
        }
        return line.EndPoint.Coordinate.Copy();
    }

    public static MultiPolygon AsMultiPolygon(Geometry g) => g switch
    {
        MultiPolygon mp => mp,
        Polygon p => Factory.CreateMultiPolygon([p]),
        _ => Factory.CreateMultiPolygon(NetTopologySuite.Geometries.Utilities.PolygonExtracter.GetPolygons(g)
            .Cast<Polygon>().Where(p => !p.IsEmpty).ToArray()),
    };

    public static double NextGaussian(this Random random)
    {
        // Box-Muller; 1 - NextDouble() avoids log(0).
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Index drawn with probability proportional to its weight.</summary>
    public static int Pick(this Random random, IReadOnlyList<double> cumulative)
    {
        var x = random.NextDouble() * cumulative[^1];
        var i = 0;
        var hi = cumulative.Count - 1;
        while (i < hi)
        {
            var mid = (i + hi) / 2;
            if (cumulative[mid] > x) hi = mid; else i = mid + 1;
        }
        return i;
    }

    public static double[] Cumulative(IEnumerable<double> weights)
    {
        var sum = 0.0;
        return weights.Select(w => sum += w).ToArray();
    }
}

/// <summary>Which community (and so which responsibility area) a point falls in.</summary>
sealed class Locator(IReadOnlyList<Community> communities)
{
    readonly (Community Community, IPreparedGeometry Area)[] _areas =
        communities.Select(c => (c, PreparedGeometryFactory.Prepare(c.Boundary))).ToArray();

    /// <summary>A point a few metres off the land (a camera on the quay edge; OSM draws the land along the
    /// shore) is moved onto the land, half a metre in; farther off it stays out (null).</summary>
    public (Community Community, Coordinate At)? Near(Coordinate at, double toleranceM)
    {
        var point = DemoGeo.Factory.CreatePoint(at);
        if (At(point) is { } inside) return (inside, at);
        var (community, _) = _areas.MinBy(a => a.Community.Boundary.Distance(point));
        var shore = NetTopologySuite.Operation.Distance.DistanceOp.NearestPoints(community.Boundary, point)[0];
        var off = DemoGeo.DistanceM(at, shore);
        if (off > toleranceM || off == 0) return null;
        var moved = new Coordinate(shore.X + (shore.X - at.X) * 0.5 / off, shore.Y + (shore.Y - at.Y) * 0.5 / off);
        return At(DemoGeo.Factory.CreatePoint(moved)) is { } c ? (c, moved) : null;
    }

    /// <summary>The first community (in code order) that covers the point; null off the land.</summary>
    public Community? At(Geometry point)
    {
        foreach (var (community, area) in _areas)
            if (area.Covers(point)) return community;
        return null;
    }
}
