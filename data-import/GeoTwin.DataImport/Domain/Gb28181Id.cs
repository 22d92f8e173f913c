namespace GeoTwin.DataImport.Domain;

/// <summary>
/// GB/T 28181 device id: 8-digit centre code | 2-digit industry | 3-digit type | 1-digit network | 6-digit serial.
/// The same rule as the database's is_gb28181_camera_id, here to report a bad row by name before loading.
/// </summary>
public static class Gb28181Id
{
    public static readonly IReadOnlySet<string> CameraTypes = new HashSet<string> { "131", "132" };

    /// <returns>null when the id is a valid camera id, else the reason.</returns>
    public static string? ValidateCamera(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "camera id is missing";
        if (id.Length != 20) return $"camera id must be 20 digits, got {id.Length} characters";
        if (!id.All(char.IsAsciiDigit)) return "camera id must be digits only (0-9)";
        var type = id.Substring(10, 3);
        if (!CameraTypes.Contains(type)) return $"camera id has device type {type}; a camera is 131 (camera) or 132 (IP camera)";
        return null;
    }

    /// <param name="centre">8-digit centre code, e.g. the GB/T 2260 admin code zero-padded</param>
    /// <param name="industry">00 road .. 08 city management (2 digits)</param>
    /// <param name="type">131 or 132</param>
    /// <param name="network">0-9</param>
    public static string Make(string centre, int industry, int type, int network, int serial)
    {
        var id = $"{centre}{industry:00}{type:000}{network}{serial:000000}";
        return ValidateCamera(id) is { } reason ? throw new ArgumentException(reason) : id;
    }
}
