using System.Globalization;
using System.Xml.Linq;
using GeoTwin.Tiling.Geodesy;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace GeoTwin.DataImport.Photogrammetry;

/// <summary>
/// metadata.xml of a ContextCapture export: where the tile set's local metres are. SRS is an EPSG code, WKT, or
/// "ENU:lat,lon"; SRSOrigin is added to every vertex first. Vertex heights are taken as ellipsoidal, and
/// CGCS2000 as WGS84 (within centimetres at map precision, as everywhere in GeoTwin).
/// </summary>
public sealed class ContextCaptureMetadata
{
    public string Srs { get; }
    public (double X, double Y, double Z) Origin { get; }

    private readonly Func<double, double, double, (double X, double Y, double Z)> _toEcef;

    private ContextCaptureMetadata(string srs, (double, double, double) origin, Func<double, double, double, (double, double, double)> toEcef) =>
        (Srs, Origin, _toEcef) = (srs, origin, toEcef);

    /// <param name="wktForEpsg">the WKT of an EPSG code (the server reads spatial_ref_sys); null when the code is unknown.</param>
    public static ContextCaptureMetadata Load(string path, Func<int, string?>? wktForEpsg = null)
    {
        var doc = XDocument.Load(path);
        var srs = doc.Root?.Element("SRS")?.Value.Trim() ?? throw new InvalidDataException($"{path} has no <SRS>");
        var originText = doc.Root.Element("SRSOrigin")?.Value.Trim() ?? "0,0,0";
        var parts = originText.Split(',').Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        if (parts.Length is < 2 or > 3) throw new InvalidDataException($"{path}: SRSOrigin '{originText}' is not x,y[,z]");
        var origin = (parts[0], parts[1], parts.Length > 2 ? parts[2] : 0);

        if (srs.StartsWith("ENU:", StringComparison.OrdinalIgnoreCase))
        {
            var latLon = srs[4..].Split(',').Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            var frame = new EnuFrame(latLon[1], latLon[0], 0);
            return new ContextCaptureMetadata(srs, origin, frame.ToEcef);
        }
        var wkt = srs;
        if (srs.StartsWith("EPSG:", StringComparison.OrdinalIgnoreCase))
        {
            var code = int.Parse(srs[5..].Split('+')[0], CultureInfo.InvariantCulture);
            wkt = wktForEpsg?.Invoke(code)
                ?? throw new InvalidDataException($"{path}: SRS {srs} is an EPSG code whose definition was not given (pass its WKT)");
        }
        var cs = new CoordinateSystemFactory().CreateFromWkt(wkt);
        if (cs is GeographicCoordinateSystem)
            return new ContextCaptureMetadata(srs, origin, (lon, lat, h) => Wgs84.ToEcef(lon, lat, h));
        if (cs is not ProjectedCoordinateSystem projected)
            throw new InvalidDataException($"{path}: SRS is neither projected nor geographic: {cs.GetType().Name}");
        // To the projection's own geographic system: no datum shift, which is right for CGCS2000 ≈ WGS84.
        var inverse = new CoordinateTransformationFactory().CreateFromCoordinateSystems(projected, projected.GeographicCoordinateSystem).MathTransform;
        return new ContextCaptureMetadata(srs, origin, (x, y, h) =>
        {
            var (lon, lat) = inverse.Transform(x, y);
            return Wgs84.ToEcef(lon, lat, h);
        });
    }

    /// <summary>ECEF metres of a vertex in the tile set's local coordinates.</summary>
    public (double X, double Y, double Z) ToEcef(double x, double y, double z) => _toEcef(Origin.X + x, Origin.Y + y, Origin.Z + z);
}
