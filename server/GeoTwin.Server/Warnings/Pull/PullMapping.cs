using System.Globalization;
using System.Text.Json;

namespace GeoTwin.Server.Warnings.Pull;

/// <summary>A record of the platform turned into GeoTwin's terms, or the reason it was not.</summary>
public sealed record PlatformIncident(string Number, string Category, double Lon, double Lat, DateTimeOffset ReceivedAt, string? Description, short Priority);

/// <summary>
/// The mapping file: where a page keeps its records and its next cursor, the platform's field names, and its category
/// codes as GeoTwin's categories. One file for both connectors (the drop folder's CSV columns are the same field names).
/// <code>
/// { "records": "data.items", "next": "data.next",
///   "fields": { "number": "jjdbh", "category": "ajlb", "lon": "x", "lat": "y", "receivedAt": "bjsj", "description": "jyaq", "priority": "jjjb" },
///   "categories": { "0201": "robbery", "0202": "snatching", "0301": "theft" },
///   "timeZone": "Asia/Shanghai" }
/// </code>
/// </summary>
public sealed class PullMapping
{
    public string RecordsPath { get; init; } = "records";
    public string NextPath { get; init; } = "next";
    public required IReadOnlyDictionary<string, string> Fields { get; init; }
    public required IReadOnlyDictionary<string, string> Categories { get; init; }
    /// <summary>For times written without an offset: the platform's clock.</summary>
    public string TimeZone { get; init; } = "UTC";

    static readonly string[] Required = ["number", "category", "lon", "lat", "receivedAt"];

    public static PullMapping Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var root = doc.RootElement;
        var fields = root.GetProperty("fields").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var missing = Required.Where(f => !fields.ContainsKey(f)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"mapping {path}: fields needs {string.Join(", ", missing)}");
        var categories = root.GetProperty("categories").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        foreach (var (code, category) in categories)
            if (!Vocabulary.IncidentCategories.Contains(category))
                throw new ArgumentException($"mapping {path}: category code '{code}' maps to '{category}', not one of {Vocabulary.IncidentCategories}");
        var zone = root.TryGetProperty("timeZone", out var z) ? z.GetString()! : "UTC";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)) throw new ArgumentException($"mapping {path}: timeZone '{zone}' is not known");
        return new PullMapping
        {
            RecordsPath = root.TryGetProperty("records", out var r) ? r.GetString() ?? "" : "records",
            NextPath = root.TryGetProperty("next", out var n) ? n.GetString() ?? "" : "next",
            Fields = fields, Categories = categories, TimeZone = zone,
        };
    }

    /// <summary>A value at a dotted path ("data.items"); the root for "".</summary>
    public static JsonElement? At(JsonElement root, string path)
    {
        var at = root;
        if (path.Length == 0) return at;
        foreach (var part in path.Split('.'))
        {
            if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(part, out at)) return null;
        }
        return at;
    }

    /// <summary>One record by the mapping (a field reader over a JSON object or a CSV row), or why it cannot be taken.</summary>
    public (PlatformIncident? Incident, string? Reason) Read(Func<string, string?> field)
    {
        string? Get(string name) => Fields.TryGetValue(name, out var f) ? field(f) : null;
        var number = Get("number")?.Trim();
        if (string.IsNullOrEmpty(number)) return (null, $"{Fields["number"]}: missing");
        if (number.Length > 36 || number.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_'))
            return (null, $"{Fields["number"]}: '{Trim(number)}' is not 1-36 letters, digits, - or _");
        var code = Get("category")?.Trim();
        if (string.IsNullOrEmpty(code)) return (null, $"{Fields["category"]}: missing");
        if (!Categories.TryGetValue(code, out var category)) return (null, $"{Fields["category"]}: code '{Trim(code)}' is not in the mapping");
        if (!Number(Get("lon"), -180, 180, out var lon)) return (null, $"{Fields["lon"]}: '{Trim(Get("lon"))}' is not a longitude");
        if (!Number(Get("lat"), -90, 90, out var lat)) return (null, $"{Fields["lat"]}: '{Trim(Get("lat"))}' is not a latitude");
        if (Time(Get("receivedAt")) is not { } at) return (null, $"{Fields["receivedAt"]}: '{Trim(Get("receivedAt"))}' is not a date and time");
        short priority = 3;
        if (Get("priority") is { Length: > 0 } p && (!short.TryParse(p, CultureInfo.InvariantCulture, out priority)
            || priority < Vocabulary.HighestPriority || priority > Vocabulary.LowestPriority))
            return (null, $"{Fields["priority"]}: '{Trim(p)}' is not {Vocabulary.HighestPriority}..{Vocabulary.LowestPriority}");
        var description = Get("description");
        if (description is { Length: > 4000 }) description = description[..4000];
        return (new PlatformIncident(number, category, lon, lat, at, description, priority), null);
    }

    static bool Number(string? text, double min, double max, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= min && value <= max;

    DateTimeOffset? Time(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset)
            && (text.EndsWith('Z') || text.Contains('+') || text.LastIndexOf('-') > 9))
            return withOffset;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return null;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified)));
    }

    static string Trim(string? s) => s is null ? "" : s.Length > 40 ? s[..40] + "…" : s;

    /// <summary>A JSON record's field as text (numbers and strings alike), null when absent or null.</summary>
    public static Func<string, string?> FieldsOf(JsonElement record) => name =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => v.GetRawText(),
        } : null;
}
