using System.Globalization;

namespace GeoTwin.Server.Infrastructure.Geo;

/// <summary>A WGS84 box given as "west,south,east,north" in a query string.</summary>
public readonly record struct Bbox(double West, double South, double East, double North)
{
    /// <returns>the box, or the reason the text is not one</returns>
    public static (Bbox? Box, string? Error) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        var parts = text.Split(',');
        if (parts.Length != 4) return (null, "must be four numbers: west,south,east,north");
        var v = new double[4];
        for (var i = 0; i < 4; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]))
                return (null, $"'{parts[i]}' is not a number");
        if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90) return (null, "longitudes must lie in -180..180 and latitudes in -90..90");
        if (v[0] >= v[2] || v[1] >= v[3]) return (null, "west must be less than east and south less than north");
        return (new Bbox(v[0], v[1], v[2], v[3]), null);
    }
}
