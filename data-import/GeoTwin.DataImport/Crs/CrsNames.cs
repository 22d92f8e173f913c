using System.Text.RegularExpressions;

namespace GeoTwin.DataImport.Crs;

/// <summary>
/// Ties what files say about their CRS to an EPSG code: the GeoJSON crs member, the WKT of a .prj or of a
/// GeoPackage srs. ArcGIS writes .prj files without EPSG codes, so its names for the CRSs Chinese data comes
/// in (CGCS2000 and its Gauss-Kruger zones, WGS 84, Web Mercator, UTM) are recognized by name.
/// </summary>
public static partial class CrsNames
{
    /// <summary>"EPSG:4549", "urn:ogc:def:crs:EPSG::4549", "urn:ogc:def:crs:OGC:1.3:CRS84", "http://www.opengis.net/def/crs/EPSG/0/4549".</summary>
    public static int? FromName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        if (name.EndsWith("CRS84", StringComparison.OrdinalIgnoreCase)) return 4326;
        var m = EpsgName().Match(name);
        return m.Success ? int.Parse(m.Groups[1].Value) : null;
    }

    /// <summary>The EPSG code of a WKT CRS: its own AUTHORITY, else a known ArcGIS name; null if neither.</summary>
    public static int? FromWkt(string? wkt)
    {
        if (string.IsNullOrWhiteSpace(wkt)) return null;
        // The CRS's own authority closes the WKT; inner ones belong to its datum, ellipsoid and units.
        var own = OwnAuthority().Match(wkt.Trim());
        if (own.Success) return int.Parse(own.Groups[1].Value);
        var name = NameOf(wkt);
        return name is null ? null : FromEsriName(name);
    }

    /// <summary>The name of the outermost CRS in a WKT, for error messages.</summary>
    public static string? NameOf(string wkt)
    {
        var m = FirstName().Match(wkt);
        return m.Success ? m.Groups[1].Value : null;
    }

    static int? FromEsriName(string name)
    {
        var n = name.Replace(' ', '_');
        if (Match(GkCm3(), n) is { } cm3 && (cm3 - 75) % 3 == 0 && cm3 is >= 75 and <= 135) return 4534 + (cm3 - 75) / 3;
        if (Match(GkZone3(), n) is { } z3 && z3 is >= 25 and <= 45) return 4513 + z3 - 25;
        if (Match(GkCm6(), n) is { } cm6 && (cm6 - 75) % 6 == 0 && cm6 is >= 75 and <= 135) return 4502 + (cm6 - 75) / 6;
        if (Match(GkZone6(), n) is { } z6 && z6 is >= 13 and <= 23) return 4491 + z6 - 13;
        if (Match(UtmNorth(), n) is { } utm && utm is >= 1 and <= 60) return 32600 + utm;
        return n.ToUpperInvariant() switch
        {
            "GCS_CHINA_GEODETIC_COORDINATE_SYSTEM_2000" or "CHINA_GEODETIC_COORDINATE_SYSTEM_2000" or "GCS_CGCS2000" or "CGCS2000" => 4490,
            "GCS_WGS_1984" or "WGS_84" or "WGS84" => 4326,
            "WGS_1984_WEB_MERCATOR_AUXILIARY_SPHERE" or "WGS_1984_WEB_MERCATOR" or "WGS_84_/_PSEUDO-MERCATOR" => 3857,
            _ => null,
        };
    }

    static int? Match(Regex regex, string name)
    {
        var m = regex.Match(name);
        return m.Success ? int.Parse(m.Groups[1].Value) : null;
    }

    [GeneratedRegex(@"EPSG(?:[:/][0-9.]*)?[:/]+(\d{4,6})$", RegexOptions.IgnoreCase)]
    private static partial Regex EpsgName();

    [GeneratedRegex(@"AUTHORITY\[""EPSG"",\s*""?(\d+)""?\]\]$", RegexOptions.IgnoreCase)]
    private static partial Regex OwnAuthority();

    [GeneratedRegex(@"^\s*\w+\[""([^""]+)""")]
    private static partial Regex FirstName();

    [GeneratedRegex(@"^CGCS2000_3_Degree_GK_CM_(\d+)E$", RegexOptions.IgnoreCase)]
    private static partial Regex GkCm3();

    [GeneratedRegex(@"^CGCS2000_3_Degree_GK_Zone_(\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex GkZone3();

    [GeneratedRegex(@"^CGCS2000_GK_CM_(\d+)E$", RegexOptions.IgnoreCase)]
    private static partial Regex GkCm6();

    [GeneratedRegex(@"^CGCS2000_GK_Zone_(\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex GkZone6();

    [GeneratedRegex(@"^WGS_1984_UTM_Zone_(\d+)N$", RegexOptions.IgnoreCase)]
    private static partial Regex UtmNorth();
}
