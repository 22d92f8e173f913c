using System.Globalization;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>
/// A metric frame for one analysis: a Transverse Mercator on WGS 84 whose central meridian and origin latitude
/// are the data's centre, scale 1 and no false origin, so metres are true to about 3e-5 within 50 km of the
/// centre (scale grows as 1 + d²/2R²) — far finer than any cell. Distances in Web Mercator would be 1/cos φ too
/// long (1.38× in Chicago), which is why the statistics never work in EPSG:3857.
/// </summary>
public sealed class LocalProjection
{
    readonly MathTransform _forward;
    readonly MathTransform _inverse;

    public double CentreLongitude { get; }
    public double CentreLatitude { get; }

    public LocalProjection(double centreLongitude, double centreLatitude)
    {
        CentreLongitude = centreLongitude;
        CentreLatitude = centreLatitude;
        var wkt = string.Format(CultureInfo.InvariantCulture,
            "PROJCS[\"GeoTwin local TM\",GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563]]," +
            "PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"]," +
            "PARAMETER[\"latitude_of_origin\",{0:R}],PARAMETER[\"central_meridian\",{1:R}],PARAMETER[\"scale_factor\",1]," +
            "PARAMETER[\"false_easting\",0],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1]]",
            centreLatitude, centreLongitude);
        var projected = (ProjectedCoordinateSystem)new CoordinateSystemFactory().CreateFromWkt(wkt);
        var factory = new CoordinateTransformationFactory();
        _forward = factory.CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, projected).MathTransform;
        _inverse = factory.CreateFromCoordinateSystems(projected, GeographicCoordinateSystem.WGS84).MathTransform;
    }

    /// <summary>Centred on the middle of the longitudes' and latitudes' ranges.</summary>
    public static LocalProjection For(ReadOnlySpan<double> longitudes, ReadOnlySpan<double> latitudes)
    {
        if (longitudes.IsEmpty) return new LocalProjection(0, 0);
        double minLon = double.MaxValue, maxLon = double.MinValue, minLat = double.MaxValue, maxLat = double.MinValue;
        for (var i = 0; i < longitudes.Length; i++)
        {
            minLon = Math.Min(minLon, longitudes[i]); maxLon = Math.Max(maxLon, longitudes[i]);
            minLat = Math.Min(minLat, latitudes[i]); maxLat = Math.Max(maxLat, latitudes[i]);
        }
        return new LocalProjection((minLon + maxLon) / 2, (minLat + maxLat) / 2);
    }

    /// <summary>Longitude/latitude (degrees) to metres, into new arrays.</summary>
    public (double[] X, double[] Y) Forward(ReadOnlySpan<double> longitudes, ReadOnlySpan<double> latitudes)
    {
        var x = longitudes.ToArray();
        var y = latitudes.ToArray();
        _forward.Transform(x.AsSpan(), y.AsSpan(), 1, 1);
        return (x, y);
    }

    /// <summary>Metres back to longitude/latitude (cell centres and vertices for tiles and GeoJSON), into new arrays.</summary>
    public (double[] Longitude, double[] Latitude) Inverse(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        var lon = xs.ToArray();
        var lat = ys.ToArray();
        _inverse.Transform(lon.AsSpan(), lat.AsSpan(), 1, 1);
        return (lon, lat);
    }
}
