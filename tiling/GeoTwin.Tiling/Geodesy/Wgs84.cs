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
}
