using System.Globalization;

namespace GeoTwin.DataImport.Reading;

/// <summary>Typed attribute values (DBF, SQLite) as the invariant text every record carries.</summary>
static class FieldText
{
    public static string? Of(object? value) => value switch
    {
        null or DBNull => null,
        string s => s.Length == 0 ? null : s,
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        byte[] bytes => Convert.ToHexString(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
