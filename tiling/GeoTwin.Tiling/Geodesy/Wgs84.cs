namespace GeoTwin.Tiling.Geodesy;

/// <summary>The WGS84 ellipsoid, which 3D Tiles and Cesium place everything on.</summary>
public static class Wgs84
{
    public const double SemiMajorAxis = 6378137.0;
    public const double Flattening = 1 / 298.257223563;
    public const double EccentricitySquared = Flattening * (2 - Flattening);

    /// <summary>Earth-centred, earth-fixed metres of a longitude, latitude (degrees) and ellipsoidal height (metres).</summary>
    public static (double X, double Y, double Z) ToEcef(double lonDegrees, double latDegrees, double height)
    {
        var lon = lonDegrees * (Math.PI / 180);
        var lat = latDegrees * (Math.PI / 180);
        var (sinLat, cosLat) = Math.SinCos(lat);
        var (sinLon, cosLon) = Math.SinCos(lon);
        var n = SemiMajorAxis / Math.Sqrt(1 - EccentricitySquared * sinLat * sinLat);
        return ((n + height) * cosLat * cosLon, (n + height) * cosLat * sinLon, (n * (1 - EccentricitySquared) + height) * sinLat);
    }

    /// <summary>Longitude, latitude (degrees) and ellipsoidal height of an ECEF point (Bowring's iteration, well under a millimetre).</summary>
    public static (double Lon, double Lat, double Height) ToGeodetic(double x, double y, double z)
    {
        var p = Math.Sqrt(x * x + y * y);
        var lat = Math.Atan2(z, p * (1 - EccentricitySquared));
        double height = 0;
        for (var i = 0; i < 5; i++)
        {
            var sinLat = Math.Sin(lat);
            var n = SemiMajorAxis / Math.Sqrt(1 - EccentricitySquared * sinLat * sinLat);
            height = p / Math.Cos(lat) - n;
            lat = Math.Atan2(z, p * (1 - EccentricitySquared * n / (n + height)));
        }
        return (Math.Atan2(y, x) * 180 / Math.PI, lat * 180 / Math.PI, height);
    }

    /// <summary>Metres per degree of longitude and of latitude at a latitude: enough to size tiles, not to place vertices.</summary>
    public static (double PerLonDegree, double PerLatDegree) MetresPerDegree(double latDegrees)
    {
        var lat = latDegrees * (Math.PI / 180);
        var sinLat = Math.Sin(lat);
        var w = Math.Sqrt(1 - EccentricitySquared * sinLat * sinLat);
        var primeVertical = SemiMajorAxis / w;
        var meridional = SemiMajorAxis * (1 - EccentricitySquared) / (w * w * w);
        return (primeVertical * Math.Cos(lat) * Math.PI / 180, meridional * Math.PI / 180);
    }

    /// <summary>
    /// Metres between two lon/lat points (degrees): GeoTwin's one distance on the earth. Measured in the ellipsoid's local
    /// flat frame at the pair's mid-latitude, which is within 0.1% of the geodesic over a city's extent (tens of km), the
    /// only range GeoTwin measures (units, incidents, roads and houses of one bureau); not for continental distances.
    /// </summary>
    public static double DistanceM(double lon1, double lat1, double lon2, double lat2)
    {
        var (perLon, perLat) = MetresPerDegree((lat1 + lat2) / 2);
        var dx = (lon2 - lon1) * perLon;
        var dy = (lat2 - lat1) * perLat;
        return Math.Sqrt(dx * dx + dy * dy);
    }
}
