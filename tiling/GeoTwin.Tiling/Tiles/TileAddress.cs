namespace GeoTwin.Tiling.Tiles;

/// <summary>A Web Mercator XYZ tile (the scheme of ST_TileEnvelope and of every web map).</summary>
public readonly record struct TileAddress(int Z, int X, int Y)
{
    /// <summary>Deeper than this a tile is under 2.4 cm at the equator: no request needs it.</summary>
    public const int MaxZoom = 30;

    /// <returns>null when valid, else what is wrong, naming the parameter.</returns>
    public static string? Validate(int z, int x, int y)
    {
        if (z is < 0 or > MaxZoom) return $"z must be between 0 and {MaxZoom}, got {z}";
        var n = 1L << z;
        if (x < 0 || x >= n) return $"x must be between 0 and {n - 1} at zoom {z}, got {x}";
        if (y < 0 || y >= n) return $"y must be between 0 and {n - 1} at zoom {z}, got {y}";
        return null;
    }

    /// <summary>West, south, east, north in degrees (EPSG:4326).</summary>
    public (double West, double South, double East, double North) Bounds()
    {
        var n = Math.Pow(2, Z);
        return (X / n * 360 - 180, Lat(Y + 1, n), (X + 1) / n * 360 - 180, Lat(Y, n));

        static double Lat(double y, double n) => Math.Atan(Math.Sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI;
    }

    /// <summary>The tile at zoom z that holds a WGS84 point.</summary>
    public static TileAddress Containing(double lon, double lat, int z)
    {
        var n = 1 << z;
        var latRad = Math.Clamp(lat, -85.05112878, 85.05112878) * Math.PI / 180;
        var x = (int)Math.Floor((lon + 180) / 360 * n);
        var y = (int)Math.Floor((1 - Math.Log(Math.Tan(latRad) + 1 / Math.Cos(latRad)) / Math.PI) / 2 * n);
        return new TileAddress(z, Math.Clamp(x, 0, n - 1), Math.Clamp(y, 0, n - 1));
    }
}
