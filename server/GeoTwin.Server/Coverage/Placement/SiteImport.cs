using System.Globalization;
using System.Text;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Auth;

namespace GeoTwin.Server.Coverage.Placement;

/// <summary>One imported candidate site (a lamp post a camera may go on).</summary>
public sealed record SiteRow(int Row, double Lon, double Lat, string? Name);

/// <summary>A row that cannot be imported: its number (1 = the first data row or feature), the field and why.</summary>
public sealed record BadSite(int Row, string Field, string Reason);

/// <summary>
/// Reads the points a planner imports, as CSV (a header naming lon and lat, optionally name) or as a GeoJSON
/// FeatureCollection of Points (properties.name). Pure: every bad row is named, so nothing half-written can follow.
/// </summary>
public static class SiteImport
{
    public const int MaxRows = 20_000;
    public const int MaxNameLength = 200;

    public static (List<SiteRow> Rows, List<BadSite> Bad) Read(string text, bool csv) => csv ? ReadCsv(text) : ReadGeoJson(text);

    static (List<SiteRow>, List<BadSite>) ReadCsv(string text)
    {
        var rows = new List<SiteRow>();
        var bad = new List<BadSite>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var header = Fields(lines[0].TrimStart('\uFEFF')).Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Col(params string[] names) => header.FindIndex(names.Contains);
        var lonAt = Col("lon", "lng", "longitude", "x", "经度");
        var latAt = Col("lat", "latitude", "y", "纬度");
        var nameAt = Col("name", "名称");
        if (lonAt < 0) bad.Add(new BadSite(0, "lon", "the header names no lon (or longitude, x) column"));
        if (latAt < 0) bad.Add(new BadSite(0, "lat", "the header names no lat (or latitude, y) column"));
        if (bad.Count > 0) return (rows, bad);
        var n = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            n++;
            var f = Fields(lines[i]);
            string? At(int c) => c >= 0 && c < f.Count ? f[c].Trim() : null;
            Add(rows, bad, n, Number(At(lonAt)), Number(At(latAt)), At(nameAt) is { Length: > 0 } name ? name : null,
                At(lonAt), At(latAt));
        }
        return (rows, bad);
    }

    static (List<SiteRow>, List<BadSite>) ReadGeoJson(string text)
    {
        var rows = new List<SiteRow>();
        var bad = new List<BadSite>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 }); }
        catch (JsonException e) { return (rows, [new BadSite(0, "body", $"is not JSON: {e.Message}")]); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || type.GetString() != "FeatureCollection" || !root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
                return (rows, [new BadSite(0, "body", "must be a GeoJSON FeatureCollection with a features array")]);
            var n = 0;
            foreach (var feature in features.EnumerateArray())
            {
                n++;
                if (feature.ValueKind != JsonValueKind.Object || !feature.TryGetProperty("geometry", out var g) || g.ValueKind != JsonValueKind.Object
                    || !g.TryGetProperty("type", out var gt) || gt.ValueKind != JsonValueKind.String || gt.GetString() != "Point"
                    || !g.TryGetProperty("coordinates", out var c) || c.ValueKind != JsonValueKind.Array || c.GetArrayLength() < 2)
                {
                    bad.Add(new BadSite(n, "geometry", "must be a Point with [lon, lat] coordinates"));
                    continue;
                }
                double? Coord(int i) => c[i].ValueKind == JsonValueKind.Number ? c[i].GetDouble() : null;
                string? name = null;
                if (feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("name", out var nm))
                {
                    if (nm.ValueKind == JsonValueKind.String) name = nm.GetString();
                    else if (nm.ValueKind != JsonValueKind.Null) { bad.Add(new BadSite(n, "name", "must be text")); continue; }
                }
                Add(rows, bad, n, Coord(0), Coord(1), name, c[0].ToString(), c[1].ToString());
            }
        }
        return (rows, bad);
    }

    static void Add(List<SiteRow> rows, List<BadSite> bad, int n, double? lon, double? lat, string? name, string? rawLon, string? rawLat)
    {
        if (lon is not { } x || !double.IsFinite(x) || x is < -180 or > 180)
            bad.Add(new BadSite(n, "lon", $"'{Clip(rawLon)}' is not a longitude between -180 and 180"));
        else if (lat is not { } y || !double.IsFinite(y) || y is < -90 or > 90)
            bad.Add(new BadSite(n, "lat", $"'{Clip(rawLat)}' is not a latitude between -90 and 90"));
        else if (name is not null && Problems.CheckText(name, MaxNameLength) is { } reason)
            bad.Add(new BadSite(n, "name", reason));
        else rows.Add(new SiteRow(n, x, y, name));
    }

    static double? Number(string? s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>A bad value quoted back, short and without control characters.</summary>
    static string Clip(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        var clean = new string(s.Select(ch => char.IsControl(ch) ? '?' : ch).ToArray());
        return clean.Length > 40 ? clean[..40] + "…" : clean;
    }

    /// <summary>One CSV line's fields (RFC 4180 quoting: "a, b" and "" for a quote).</summary>
    static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else sb.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(ch);
        }
        fields.Add(sb.ToString());
        return fields;
    }
}
