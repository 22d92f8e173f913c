using System.Text.Json;
using System.Text.Json.Serialization;
using GeoTwin.DataImport.Import.Layers;

namespace GeoTwin.DataImport.Import;

/// <summary>
/// Overrides of the conventions, from a small JSON file (--mapping) or flags:
/// <code>{ "fields": { "code": "DZBM" }, "defaults": { "element_type": "50" }, "jurisdiction": "ST1",
///   "srid": 4549, "datum": "gcj02", "lon": "E", "lat": "N", "wkt": "geom", "table": "buildings" }</code>
/// </summary>
public sealed record ImportMapping
{
    /// <summary>Layer column → the source field that fills it.</summary>
    public Dictionary<string, string> Fields { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Layer column → the value used where the source has none.</summary>
    public Dictionary<string, string> Defaults { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The jurisdiction code for rows that lie outside every police station.</summary>
    public string? Jurisdiction { get; init; }
    public int? Srid { get; init; }
    public string? Datum { get; init; }
    public string? Lon { get; init; }
    public string? Lat { get; init; }
    public string? Wkt { get; init; }
    public string? Table { get; init; }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static ImportMapping Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<ImportMapping>(stream, Json) ?? new ImportMapping();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new ImportRefusedException($"cannot read the mapping file {path}: {e.Message}", e);
        }
    }

    /// <summary>Refuses a mapping that names columns the layer does not have, so a typo is not silently ignored.</summary>
    public void CheckAgainst(Layer layer)
    {
        foreach (var column in Fields.Keys.Concat(Defaults.Keys))
            if (!layer.Columns.Any(c => c.Name.Equals(column, StringComparison.OrdinalIgnoreCase)))
                throw new ImportRefusedException($"the mapping names '{column}', which the {layer.Name} layer does not have (it has: {string.Join(", ", layer.Columns.Select(c => c.Name))})");
    }
}
